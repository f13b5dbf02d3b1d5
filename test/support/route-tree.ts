/** A route as `fastify.printRoutes()` shows it. */
export interface TreeRoute {
  method: string;
  url: string;
}

/**
 * Reads Fastify's own route tree (`printRoutes({ commonPrefix: false })`): each line is one
 * node, indented four columns per level, its methods in parentheses when routes end there.
 * A second, independent account of what a listener serves, for checking the documents.
 */
export function routesOfTree(tree: string): TreeRoute[] {
  const routes: TreeRoute[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const [, indent, segment, methods] = match;
    stack.length = indent!.length / 4;
    stack.push(segment!);
    if (!methods) continue;
    const url = stack.join('');
    for (const method of methods.split(', ')) routes.push({ method, url });
  }
  return routes;
}
