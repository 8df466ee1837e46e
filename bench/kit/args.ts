/**
 * `--name N` options of one benchmark, each a positive integer with a default. An unknown option or a value
 * that is not a positive integer stops the benchmark naming it, before anything starts.
 */
export const parseOptions = <const O extends Record<string, number>>(
  benchmark: string,
  defaults: O,
  argv: ReadonlyArray<string> = process.argv.slice(2),
): O => {
  const flagOf = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
  const usage = `usage: npm run bench -- ${benchmark} ${Object.entries(defaults)
    .map(([key, value]) => `[${flagOf(key)} N (${value})]`)
    .join(" ")}`
  const options: Record<string, number> = { ...defaults }
  if (argv.includes("--help")) {
    console.log(usage)
    process.exit(0)
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] ?? "").split("=", 2) as [string, string | undefined]
    const key = Object.keys(defaults).find((k) => flagOf(k) === flag)
    if (key === undefined) throw new Error(`unknown option ${flag}\n${usage}`)
    const value = Number(inline ?? argv[++i])
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} needs a positive integer\n${usage}`)
    options[key] = value
  }
  return options as O
}

/** The options as a command line, for the line that reproduces a run. */
export const optionsLine = (options: Record<string, number>) =>
  Object.entries(options)
    .map(([key, value]) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${value}`)
    .join(" ")
