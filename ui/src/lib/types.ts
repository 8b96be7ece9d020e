// Shapes of the hub API's answers, as the web app reads them: the schemas
// of the hub API's OpenAPI document (internal/app/hubapi/openapi.json),
// generated into api.gen.ts. Records come from the hub's document store, so
// most fields are optional.

import type { components } from "./api.gen";

type Schemas = components["schemas"];

export type Progress = Schemas["Progress"];
/** Heartbeat is an activity's last heartbeat: a Progress, or a line of text. */
export type Heartbeat = Schemas["Heartbeat"];
export type Activity = Schemas["Activity"];
export type Command = Schemas["Command"];
export type Job = Schemas["Job"];
export type Download = Schemas["Download"];
export type PluginInfo = Schemas["PluginInfo"];
export type Source = Schemas["Source"];
export type FieldInfo = Schemas["FieldInfo"];
export type Mapping = Schemas["Mapping"];
export type MappingView = Schemas["MappingView"];
export type BuildConf = Schemas["BuildConf"];
export type BuildConfig = Schemas["BuildConfig"];
export type IndexRecord = Schemas["IndexRecord"];
export type Build = Schemas["Build"];
export type ReleaseOptions = Schemas["ReleaseOptions"];
export type ApiInstance = Schemas["ApiInstance"];
export type Status = Schemas["Status"];
export type JobManager = Schemas["JobManager"];
export type FieldStats = Schemas["FieldStats"];
export type FieldsAnswer = Schemas["FieldsAnswer"];
export type CompareAnswer = Schemas["CompareAnswer"];
export type FieldChange = Schemas["FieldChange"];
export type BuildPage = Schemas["BuildPage"];
/** LiveEvent is one message of the /ws live channel. */
export type LiveEvent = Schemas["LiveEvent"];

/** asProgress reads a heartbeat as progress: a line of text is its step. */
export function asProgress(h: Heartbeat | undefined): Progress | undefined {
  if (h === undefined || h === null) return undefined;
  return typeof h === "string" ? { step: h } : h;
}
