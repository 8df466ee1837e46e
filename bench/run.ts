// `npm run bench -- NAME [options]`: one benchmark, each its own file beside this one (bench/NAME.ts), run in a
// process of its own so that none measures another's heap or JIT state. Each prints its table and rewrites
// its section of BENCHMARKS.md. `npm run bench -- NAME --help` lists a benchmark's options.

import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { productionNodeFlags } from "./kit/productionFlags.ts"

const benchmarks = ["mapping", "e2e", "scale", "freshness", "endpoint"] as const
const [name, ...rest] = process.argv.slice(2)
if (name === undefined || !(benchmarks as ReadonlyArray<string>).includes(name)) {
  console.error(`usage: npm run bench -- ${benchmarks.join("|")} [options]`)
  process.exit(2)
}
// `scale` measures the connector's own process (RSS above all), and `e2e` its CPU, a fifth of which is the
// collector's: both run with the Node.js flags the image starts the connector with (its heap sizing). Without
// them V8 sizes the young generation at 2 × 64 MiB on this machine and lets the old one grow far, and the e2e
// connector ran 4–9 full collections per 100,000 activities where the image's flags make 52–62 (round 6).
const flags = name === "scale" || name === "e2e" ? productionNodeFlags() : []
const result = spawnSync(process.execPath, [...flags, join(import.meta.dirname, `${name}.ts`), ...rest], {
  stdio: "inherit",
})
process.exit(result.status ?? 1)
