import { SalesforceSetupAuditTrailRead } from "../SalesforceSetupAuditTrail.ts"
import { setupAuditTrailToActivity } from "../toActivity.ts"
import { queryStream } from "./queryStream.ts"

/** Setup changes: `createduser` is `user_created`, `deactivateduser` `user_deactivated`, the rest raw. */
export const setupAuditTrail = queryStream(
  "setup_audit_trail",
  SalesforceSetupAuditTrailRead,
  setupAuditTrailToActivity,
)
