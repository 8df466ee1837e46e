// The two objects the simulated org serves, as their describe says (object reference, API 62.0): each field's
// type and whether SOQL may filter or sort on it. LoginHistory is filterable on a documented short list only
// ("Not all fields are filterable"); everything else there is sort-only.

export type FieldType = "id" | "reference" | "string" | "picklist" | "datetime" | "boolean"

export interface FieldDescribe {
  readonly name: string
  readonly type: FieldType
  readonly filterable: boolean
  readonly sortable: boolean
}

export interface SObjectDescribe {
  readonly name: "LoginHistory" | "SetupAuditTrail"
  /** Three-character key prefix of the object's ids. */
  readonly keyPrefix: string
  readonly fields: ReadonlyArray<FieldDescribe>
}

const field = (name: string, type: FieldType, filterable = true, sortable = true): FieldDescribe => ({
  name,
  type,
  filterable,
  sortable,
})

export const LoginHistoryDescribe: SObjectDescribe = {
  name: "LoginHistory",
  keyPrefix: "0Ya",
  fields: [
    field("Id", "id"),
    field("UserId", "reference"),
    field("LoginTime", "datetime"),
    field("LoginType", "picklist"),
    field("LoginUrl", "string"),
    field("SourceIp", "string", false),
    field("Status", "string", false),
    field("Application", "string", false),
    field("Browser", "string", false),
    field("Platform", "string", false),
    field("ApiType", "string", false),
    field("ApiVersion", "string", false),
    field("ClientVersion", "string", false),
    field("AuthenticationServiceId", "reference"),
    field("AuthMethodReference", "string"),
    field("CountryIso", "string"),
    field("LoginSubType", "picklist", false),
    field("TlsProtocol", "picklist"),
    field("CipherSuite", "picklist"),
    field("ForwardedForIp", "string", false),
    field("LoginGeoId", "reference", false),
    field("NetworkId", "reference"),
    field("OptionsIsGet", "boolean", false),
    field("OptionsIsPost", "boolean", false),
  ],
}

export const SetupAuditTrailDescribe: SObjectDescribe = {
  name: "SetupAuditTrail",
  keyPrefix: "0Ym",
  fields: [
    field("Id", "id"),
    field("Action", "string"),
    field("Section", "string", false),
    field("Display", "string", false),
    field("CreatedDate", "datetime"),
    field("CreatedById", "reference"),
    field("CreatedByContext", "string"),
    field("CreatedByIssuer", "string"),
    field("DelegateUser", "string"),
    field("ResponsibleNamespacePrefix", "string"),
  ],
}

export const SObjects: ReadonlyArray<SObjectDescribe> = [LoginHistoryDescribe, SetupAuditTrailDescribe]
