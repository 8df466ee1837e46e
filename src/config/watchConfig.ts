import { watch } from "node:fs"
import { readFile } from "node:fs/promises"
import { basename, dirname } from "node:path"
import { Effect, Either, Queue, Stream, SubscriptionRef } from "effect"
import { Config, type LoadedConfig } from "./Config.ts"
import type { ConnectorConfig } from "./ConnectorConfig.ts"
import { CurrentAccounts } from "./CurrentAccounts.ts"
import { parseConfig } from "./loadConfig.ts"

/**
 * The keys, other than `accounts`, whose value differs between the running config and a reloaded one, as
 * paths (`kafka.shards`, `server.port`). Only the accounts change without a restart: Kafka clients, topics,
 * shards, listeners, keys and poll settings are built from the config at start.
 */
export const restartOnlyChanges = (running: ConnectorConfig, next: ConnectorConfig): string[] => {
  const { accounts: _running, ...before } = running
  const { accounts: _next, ...after } = next
  return changedPaths(before, after, "")
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

const changedPaths = (before: unknown, after: unknown, path: string): string[] => {
  if (isRecord(before) && isRecord(after))
    return [...new Set([...Object.keys(before), ...Object.keys(after)])].flatMap((key) =>
      changedPaths(before[key], after[key], path === "" ? key : `${path}.${key}`),
    )
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [path]
}

/** What a reload changes in the accounts: ids added, removed (or disabled), and changed (restarted). */
const accountChanges = (before: LoadedConfig["accounts"], after: LoadedConfig["accounts"]) => {
  const enabled = (accounts: LoadedConfig["accounts"]) =>
    new Map(accounts.filter((a) => a.config.enabled).map((a) => [a.account.id, JSON.stringify(a.config)]))
  const was = enabled(before)
  const is = enabled(after)
  return {
    added: [...is.keys()].filter((id) => !was.has(id)),
    removed: [...was.keys()].filter((id) => !is.has(id)),
    changed: [...is].filter(([id, config]) => was.has(id) && was.get(id) !== config).map(([id]) => id),
  }
}

/** After the last change to the file, how long it must stay quiet before it is read (editors write in steps). */
const settle = "300 millis"

/**
 * `run --config FILE` reloads FILE when it changes and on SIGHUP, and applies its accounts: the pipeline and
 * the endpoint follow `CurrentAccounts`. A file that does not validate is refused with the same problem lines
 * as at start; a file that changes any other key is refused whole, naming the keys. Either way the running
 * config stays, and the refusal is logged at error level.
 *
 * The file's directory is watched, not the file: an editor's save and Kubernetes's ConfigMap update replace
 * the file (a rename), which ends a watch on the file itself. Events for other files, and saves that leave the
 * text as it was, reload nothing. A `SIGHUP` listener also keeps the signal from ending the process (Node's
 * default), whatever the file says.
 */
export const watchConfig = Effect.gen(function* () {
  const running = yield* Config
  const current = yield* CurrentAccounts
  const triggers = yield* Queue.sliding<"file" | "SIGHUP">(16)
  const offer = (trigger: "file" | "SIGHUP") => {
    void Effect.runPromise(Queue.offer(triggers, trigger))
  }
  const name = basename(running.file)
  yield* Effect.acquireRelease(
    Effect.sync(() => {
      const watcher = watch(dirname(running.file), (_event, changed) => {
        // Kubernetes swaps the `..data` symlink the file resolves through; it names neither.
        if (changed === null || changed === name || changed.startsWith("..")) offer("file")
      })
      // A watch that breaks (the directory removed) leaves SIGHUP.
      watcher.on("error", () => undefined)
      const hangUp = () => offer("SIGHUP")
      process.on("SIGHUP", hangUp)
      return { watcher, hangUp }
    }),
    ({ watcher, hangUp }) =>
      Effect.sync(() => {
        watcher.close()
        process.off("SIGHUP", hangUp)
      }),
  )
  let lastText: string | undefined = yield* Effect.promise(() =>
    readFile(running.file, "utf8").catch(() => undefined),
  )

  const reload = (trigger: "file" | "SIGHUP") =>
    Effect.gen(function* () {
      const text = yield* Effect.tryPromise(() => readFile(running.file, "utf8")).pipe(
        Effect.tapError((cause) =>
          Effect.logError("config reload refused: the file cannot be read; the running config stays").pipe(
            Effect.annotateLogs({ file: running.file, error: String(cause.error) }),
          ),
        ),
        Effect.option,
      )
      if (text._tag === "None" || (trigger === "file" && text.value === lastText)) return
      lastText = text.value
      const parsed = parseConfig(running.file, text.value)
      if (Either.isLeft(parsed)) {
        return yield* Effect.logError(
          "config reload refused: the file does not validate; the running config stays",
        ).pipe(Effect.annotateLogs({ file: running.file, trigger, problems: parsed.left.problems }))
      }
      const next = parsed.right
      const restartOnly = restartOnlyChanges(running.config, next.config)
      if (restartOnly.length > 0) {
        return yield* Effect.logError(
          `config reload refused: ${restartOnly.join(", ")} take effect only at a restart; nothing of the file was applied (the accounts included) and the running config stays`,
        ).pipe(Effect.annotateLogs({ file: running.file, trigger, restart_only: restartOnly }))
      }
      const changes = accountChanges(yield* SubscriptionRef.get(current), next.accounts)
      yield* SubscriptionRef.set(current, next.accounts)
      yield* Effect.logInfo("config reloaded").pipe(
        Effect.annotateLogs({ file: running.file, trigger, ...changes }),
      )
    })

  return yield* Stream.fromQueue(triggers).pipe(Stream.debounce(settle), Stream.runForEach(reload))
})
