import { readFileSync } from "node:fs"
import { join } from "node:path"
import { root } from "./report.ts"

/**
 * The Node.js flags the connector runs with in production: those of the image's ENTRYPOINT, between `node` and
 * `src/main.ts`. Read from the Dockerfile, so that a benchmark of the connector's own process measures it as
 * deployed and the two cannot drift apart.
 */
export const productionNodeFlags = (): ReadonlyArray<string> => {
  const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8")
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1]
  const entrypoint = line === undefined ? undefined : (JSON.parse(line) as ReadonlyArray<string>)
  const main = entrypoint?.indexOf("src/main.ts") ?? -1
  if (entrypoint?.[0] !== "node" || main < 1)
    throw new Error('the Dockerfile has no ENTRYPOINT ["node", ...flags, "src/main.ts"]')
  return entrypoint.slice(1, main)
}
