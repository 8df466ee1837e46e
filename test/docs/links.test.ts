import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, relative, resolve } from "node:path"
import { describe, expect, it } from "vitest"

// The README and the docs/ pages link each other by relative path and #anchor. GitHub renders them; nothing
// else checks them, so a heading renamed or a section moved would leave a dead link unnoticed.
const root = resolve(import.meta.dirname, "../..")
const docs = resolve(root, "docs")
const pages = [
  resolve(root, "README.md"),
  ...readdirSync(docs)
    .filter((name) => name.endsWith(".md"))
    .map((name) => resolve(docs, name)),
]

/** The text outside fenced code blocks: a `#` or `[x](y)` inside one is code, not markdown. */
const prose = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, "")

/**
 * GitHub's heading anchor: lowercased, every character but letters, digits, `_`, `-` and spaces dropped,
 * spaces made hyphens; a repeated anchor gets `-1`, `-2`, … in order.
 */
const githubSlug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, "")
    .replace(/ /g, "-")

const anchorsIn = (markdown: string) => {
  const seen = new Map<string, number>()
  const anchors = new Set<string>()
  for (const match of prose(markdown).matchAll(/^#{1,6} +(.+?) *#* *$/gm)) {
    const slug = githubSlug(match[1] ?? "")
    const count = seen.get(slug) ?? 0
    anchors.add(count === 0 ? slug : `${slug}-${count}`)
    seen.set(slug, count + 1)
  }
  return anchors
}
const anchorsOf = (file: string) => anchorsIn(readFileSync(file, "utf8"))

/** Every link target of a page that is neither absolute (`https:`, `mailto:`) nor protocol-relative. */
const relativeLinks = (file: string) =>
  [...prose(readFileSync(file, "utf8")).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1] ?? "")
    .filter((target) => !/^[a-z][a-z0-9+.-]*:|^\/\//i.test(target))

describe("githubSlug", () => {
  it.each([
    ["Kafka ACLs", "kafka-acls"],
    ["GitHub and Atlassian", "github-and-atlassian"],
    ["Kafka broker for development and tests", "kafka-broker-for-development-and-tests"],
    ["The `tail` command: one JSON line, per record!", "the-tail-command-one-json-line-per-record"],
    ["OCSF 1.8.0 (Entity Management)", "ocsf-180-entity-management"],
    ["snake_case and Ünïcode", "snake_case-and-ünïcode"],
  ])("%s → %s", (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug)
  })

  it("numbers a repeated heading as GitHub does, and skips headings inside code blocks", () => {
    const markdown = "# Operations\n\n## Operations\n\n```sh\n# Docker\n```\n\n### Operations\n"
    expect([...anchorsIn(markdown)]).toEqual(["operations", "operations-1", "operations-2"])
  })
})

describe("relative links in README.md and docs/*.md", () => {
  it.each(pages.map((file) => [relative(root, file), file]))(
    "%s: every file and #anchor exists",
    (_, file) => {
      const links = relativeLinks(file)
      expect(links.length).toBeGreaterThan(0)
      for (const link of links) {
        const [path = "", anchor] = link.split("#")
        const target = path === "" ? file : resolve(dirname(file), decodeURIComponent(path))
        expect(existsSync(target), `${link}: no such file`).toBe(true)
        if (anchor === undefined) continue
        expect(statSync(target).isFile(), `${link}: an anchor into a directory`).toBe(true)
        expect(target.endsWith(".md"), `${link}: an anchor into a file that is not markdown`).toBe(true)
        expect([...anchorsOf(target)], link).toContain(anchor)
      }
    },
  )
})

describe("the docs pages", () => {
  it("each is linked from the README and links back to it", () => {
    const fromReadme = relativeLinks(resolve(root, "README.md")).map((link) => link.split("#")[0])
    for (const file of pages.slice(1)) {
      const name = relative(root, file)
      expect(fromReadme, name).toContain(name)
      expect(relativeLinks(file), name).toContain("../README.md")
    }
  })
})
