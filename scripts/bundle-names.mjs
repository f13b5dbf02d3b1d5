// Removes the keepNames wrapper where the language already gives the name (scripts/bundle.mjs).
// esbuild wraps every function it must keep named, `const onClose = __name(() => {...},
// "onClose")` included, although an anonymous function or arrow written in that place takes the
// binding's name by itself (ECMAScript NamedEvaluation: variable declarations, `x = ...`,
// object-literal properties, class fields, private ones too). Closures a request creates pay for
// the wrapper each time, and for an arrow the helper cannot skip the define: it has no name of
// its own yet (bench/micro/keep-names.bench.mjs). Where the binding's emitted name equals the
// wrapper's string, the wrapper is blanked out; where esbuild renamed the binding (`X2`), it
// stays.
//
// The same for a named function expression whose name is the wrapper's string, and for the
// `__name(f, "f");` statement esbuild puts after each `function f` declaration.
//
// Blanked, not cut: the wrapper's characters become spaces (line breaks kept), so every other
// token keeps its line and column and the source maps stay exact.
import { parse } from 'acorn';
import { simple } from 'acorn-walk';

/** @returns {{ text: string, unwrapped: number }} */
export function unwrapInferredNames(text) {
  const ast = parse(text, { ecmaVersion: 'latest', sourceType: 'module' });
  /** @type {Array<[number, number]>} */
  const blanks = [];
  let unwrapped = 0;
  const visit = (name, value) => {
    if (!isNameCall(value) || value.arguments[1].value !== name) return;
    const fn = value.arguments[0];
    const anonymous =
      fn.type === 'ArrowFunctionExpression' || (fn.type === 'FunctionExpression' && !fn.id);
    if (!anonymous) return;
    blanks.push([value.start, fn.start], [fn.end, value.end]);
    unwrapped++;
  };
  // `function next() {} __name(next, "next");`: a function declaration is named by its own
  // identifier, so the statement esbuild puts after it is a no-op each time the enclosing
  // function runs (Fastify's hook runner declares three per request hook list). Kept where the
  // block assigns or declares that name again (it may hold another function by then).
  const visitBody = (block) => {
    const statements = block.body;
    let assigned;
    for (let i = 1; i < statements.length; i++) {
      const call = statements[i].type === 'ExpressionStatement' && statements[i].expression;
      const previous = statements[i - 1];
      if (!isNameCall(call) || previous.type !== 'FunctionDeclaration') continue;
      const [target, name] = call.arguments;
      if (target.type !== 'Identifier' || target.name !== name.value) continue;
      if (previous.id.name !== target.name) continue;
      assigned ??= namesAssignedIn(block);
      if (assigned.has(target.name)) continue;
      blanks.push([statements[i].start, statements[i].end]);
      unwrapped++;
    }
  };
  simple(ast, {
    Program: visitBody,
    BlockStatement: visitBody,
    StaticBlock: visitBody,
    // A named function expression is named by its own identifier, wherever it stands.
    CallExpression: (node) => {
      const fn = node.arguments[0];
      if (!isNameCall(node) || fn.type !== 'FunctionExpression') return;
      if (fn.id?.name === node.arguments[1].value) {
        blanks.push([node.start, fn.start], [fn.end, node.end]);
        unwrapped++;
      }
    },
    VariableDeclarator: (node) => node.id.type === 'Identifier' && visit(node.id.name, node.init),
    AssignmentExpression: (node) =>
      node.operator === '=' && node.left.type === 'Identifier' && visit(node.left.name, node.right),
    Property: (node) =>
      node.kind === 'init' &&
      !node.computed &&
      !node.method &&
      node.key.type === 'Identifier' &&
      visit(node.key.name, node.value),
    // A private field's function is named with its `#`.
    PropertyDefinition: (node) =>
      !node.computed &&
      (node.key.type === 'Identifier'
        ? visit(node.key.name, node.value)
        : node.key.type === 'PrivateIdentifier' && visit(`#${node.key.name}`, node.value)),
  });
  if (blanks.length === 0) return { text, unwrapped: 0 };
  blanks.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of blanks) {
    out += text.slice(at, start) + text.slice(start, end).replace(/[^\n]/g, ' ');
    at = end;
  }
  return { text: out + text.slice(at), unwrapped };
}

/** Identifiers assigned (`x = `, `x += `) or declared by a `var`/`let`/`const` within `node`. */
function namesAssignedIn(node) {
  const names = new Set();
  simple(node, {
    AssignmentExpression: (n) => n.left.type === 'Identifier' && names.add(n.left.name),
    UpdateExpression: (n) => n.argument.type === 'Identifier' && names.add(n.argument.name),
    VariableDeclarator: (n) => n.id.type === 'Identifier' && names.add(n.id.name),
  });
  return names;
}

function isNameCall(node) {
  return (
    node?.type === 'CallExpression' &&
    node.callee.type === 'Identifier' &&
    node.callee.name === '__name' &&
    node.arguments.length === 2 &&
    node.arguments[1].type === 'Literal' &&
    typeof node.arguments[1].value === 'string'
  );
}
