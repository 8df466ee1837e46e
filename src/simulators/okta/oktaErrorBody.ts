import { randomBytes } from "node:crypto"
import type { OktaError } from "../../providers/okta/OktaLogEvent.ts"

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
/** Okta's error ids are `oae` and 19 letters or digits. */
const errorIdChars = () => Array.from(randomBytes(19), (byte) => ALNUM[byte % ALNUM.length]).join("")

/** An error body exactly in Okta's shape: `errorLink` repeats the code, `errorId` is a fresh `oae…` id. */
export const oktaErrorBody = (
  errorCode: string,
  errorSummary: string,
  causes: ReadonlyArray<string> = [],
): OktaError => ({
  errorCode,
  errorSummary,
  errorLink: errorCode,
  errorId: `oae${errorIdChars()}`,
  errorCauses: causes.map((cause) => ({ errorSummary: cause })),
})
