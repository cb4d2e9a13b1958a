// LiquidJS 10 side of benches/render.rs: same input and output as render.rb.
import { Liquid } from "liquidjs";
import { readFileSync } from "node:fs";

const input = JSON.parse(readFileSync(0, "utf8"));
const engine = new Liquid({
  // Partials by name, like Goaddon's snippets ('order/lines').
  fs: {
    readFileSync: (f) => input.partials[f],
    readFile: async (f) => input.partials[f],
    existsSync: (f) => f in input.partials,
    exists: async (f) => f in input.partials,
    resolve: (_root, file) => file,
    contains: () => true,
  },
  relativeReference: false,
  dynamicPartials: true,
  strictVariables: false,
  strictFilters: false,
});
const template = engine.parse(input.template);
const out = engine.renderSync(template, input.data);
const n = input.iterations;
const t0 = process.hrtime.bigint();
for (let i = 0; i < n; i++) engine.renderSync(template, input.data);
const t1 = process.hrtime.bigint();
console.log(`${(Number(t1 - t0) / 1000 / n).toFixed(1)} ${Buffer.byteLength(out)}`);
