// ns per closure a request creates, named by esbuild's keepNames helper as the bundle calls it
// (scripts/bundle.mjs): as emitted (always defines `name`), checked first (the bundle's patch:
// defines it only when it differs), against no helper. Two kinds of closure: a named function
// (`function onErrorHook() {}`: its name already matches, the check skips the define) and an
// arrow the helper wraps (`const onClose = __name(() => {}, "onClose")`: its own name is "", so
// even the checked helper defines it; the bundle drops such a wrapper where the language gives
// the same name, scripts/bundle-names.mjs, which is the 'no helper' row).
//   npm run bench -- micro   (or: node bench/micro/keep-names.bench.mjs)
const defineName = (target, value) =>
  Object.defineProperty(target, 'name', { value, configurable: true });
const helpers = [
  ['no helper', (target) => target],
  ['helper as emitted', defineName],
  [
    'helper checked first',
    (target, value) => (target.name === value ? target : defineName(target, value)),
  ],
];

function nsPerClosure(helper, named) {
  const closures = 1_000_000;
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < closures; i++) {
    const onClose = named
      ? helper(function onClose() {
          return i & 7;
        }, 'onClose')
      : helper(() => i & 7, 'onClose');
    sink += onClose();
  }
  const ns = Number(process.hrtime.bigint() - started) / closures;
  if (sink < 0) throw new Error('unreachable: keeps the closures alive');
  return ns;
}

for (const named of [true, false]) {
  process.stdout.write(`${named ? 'named function' : 'arrow function'}: created, named, called\n`);
  for (const [label, helper] of helpers) {
    nsPerClosure(helper, named); // warm-up
    const best = Math.min(...[1, 2, 3].map(() => nsPerClosure(helper, named)));
    process.stdout.write(
      `  ${`${named ? 'named' : 'arrow'}, ${label}`.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/op\n`,
    );
  }
}
