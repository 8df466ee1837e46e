// Logstash's pipeline configuration language, read far enough for siem/sinks/logstash-sentinel.conf:
// sections (input / filter / output) of plugins, each a block of `name => value` settings, where a value is a
// string, a number, a bareword, an array or a hash. Conditionals are not read.

export type LogstashValue =
  | string
  | number
  | ReadonlyArray<LogstashValue>
  | { readonly [key: string]: LogstashValue }

export interface LogstashPlugin {
  readonly name: string
  readonly settings: Readonly<Record<string, LogstashValue>>
}

export type LogstashPipeline = Readonly<Record<"input" | "filter" | "output", ReadonlyArray<LogstashPlugin>>>

const tokenize = (text: string): string[] => {
  const tokens: string[] = []
  const pattern = /\s+|#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|=>|[{}[\],]|[^\s{}[\],"'#=]+/gy
  let at = 0
  while (at < text.length) {
    pattern.lastIndex = at
    const m = pattern.exec(text)
    if (!m) throw new Error(`logstash config: cannot read at ${JSON.stringify(text.slice(at, at + 20))}`)
    at = pattern.lastIndex
    if (!/^\s|^#/.test(m[0])) tokens.push(m[0])
  }
  return tokens
}

export const parseLogstashConfig = (text: string): LogstashPipeline => {
  const tokens = tokenize(text)
  let at = 0
  const next = () => {
    const token = tokens[at++]
    if (token === undefined) throw new Error("logstash config ends early")
    return token
  }
  const expect = (want: string) => {
    const got = next()
    if (got !== want) throw new Error(`logstash config: expected ${want}, got ${got}`)
  }
  const value = (): LogstashValue => {
    const token = next()
    if (token === "[") {
      const items: LogstashValue[] = []
      while (tokens[at] !== "]") {
        items.push(value())
        if (tokens[at] === ",") at++
      }
      at++
      return items
    }
    if (token === "{") {
      const hash: Record<string, LogstashValue> = {}
      while (tokens[at] !== "}") {
        const key = value()
        expect("=>")
        hash[String(key)] = value()
        if (tokens[at] === ",") at++
      }
      at++
      return hash
    }
    if (/^["']/.test(token)) return token.slice(1, -1).replace(/\\(["'\\])/g, "$1")
    return /^-?\d+(\.\d+)?$/.test(token) ? Number(token) : token
  }
  const plugin = (name: string): LogstashPlugin => {
    expect("{")
    const settings: Record<string, LogstashValue> = {}
    while (tokens[at] !== "}") {
      const key = next()
      if (key === "if" || key === "else") throw new Error("logstash config: conditionals are not read")
      expect("=>")
      settings[key] = value()
    }
    at++
    return { name, settings }
  }
  const pipeline = {
    input: [] as LogstashPlugin[],
    filter: [] as LogstashPlugin[],
    output: [] as LogstashPlugin[],
  }
  while (at < tokens.length) {
    const section = next()
    if (section !== "input" && section !== "filter" && section !== "output") {
      throw new Error(`logstash config: unknown section ${section}`)
    }
    expect("{")
    while (tokens[at] !== "}") pipeline[section].push(plugin(next()))
    at++
  }
  return pipeline
}
