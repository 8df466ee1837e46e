import { Either } from "effect"
import type { ConnectorConfig } from "../config/ConnectorConfig.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import { mapRecord } from "../providers/mapRecord.ts"
import { adapterFor } from "../providers/registry.ts"
import { deadLetterMessage, type OutgoingMessage, routeActivity } from "./ActivityMessages.ts"

/** page → decode + map → route: the messages of one page, in provider order. */
export const routePage = (
  account: IntegratedAccount,
  records: ReadonlyArray<unknown>,
  kafka: ConnectorConfig["kafka"],
): {
  messages: OutgoingMessage[]
  published: number
  deadLettered: number
  /** The newest `created_at` among the page's activities, as the activity states it. */
  newestCreatedAt: string | undefined
} => {
  const adapter = adapterFor(account.integration)
  const messages: OutgoingMessage[] = []
  let published = 0
  let deadLettered = 0
  let newestCreatedAt: string | undefined
  for (const raw of records) {
    const mapped = mapRecord(adapter, account, raw)
    if (Either.isLeft(mapped)) {
      messages.push(deadLetterMessage(account, mapped.left, kafka))
      deadLettered++
      continue
    }
    const createdAt = mapped.right.created_at
    if (newestCreatedAt === undefined || Date.parse(createdAt) > Date.parse(newestCreatedAt))
      newestCreatedAt = createdAt
    const routed = routeActivity(account, mapped.right, kafka)
    if (routed[0]?.topic === kafka.topics.dead_letter) deadLettered++
    else published++
    messages.push(...routed)
  }
  return { messages, published, deadLettered, newestCreatedAt }
}
