// Shapes of the hub API's answers, as the web app reads them. Records come
// from the hub's document store, so most fields are optional.

export interface Progress {
  step?: string;
  unit?: string;
  done?: number;
  total?: number;
  rate?: number;
  resume?: string;
}

export interface Activity {
  id: string;
  type: string;
  state: string;
  attempt: number;
  progress?: Progress;
  last_heartbeat?: string;
  last_failure?: string;
  worker?: string;
}

export interface Command {
  id: string;
  run_id: string;
  type: string;
  status: string;
  task_queue?: string;
  start_time: string;
  close_time?: string;
  duration: number;
  failure?: string;
  activities?: Activity[];
  result?: unknown;
}

export interface Job {
  status?: string;
  started_at?: string;
  last_success?: string;
  time?: number;
  err?: string | null;
  count?: number;
  release?: string;
  data_folder?: string;
  rejected?: number;
  reject_samples?: unknown[];
  step?: string;
}

export interface Download extends Job {
  files?: { name: string; size?: number; url?: string }[];
  unpacked?: string[];
}

export interface PluginInfo {
  url?: string;
  commit?: string;
  branch?: string;
  ref?: string;
  release?: string;
  type?: string;
  registered_at?: string;
  folder?: string;
}

export interface Source {
  _id: string;
  name: string;
  plugin_release?: string;
  download?: Download;
  upload?: { jobs?: Record<string, Job> };
  inspect?: { jobs?: Record<string, Job & { mode?: string[]; results?: Record<string, unknown> }> };
  data_plugin?: { plugin?: PluginInfo; manifest?: Record<string, unknown> };
  schedule?: { id: string; paused: boolean; cron?: string; next_run?: string };
  pending?: unknown;
}

export interface FieldInfo {
  path: string;
  type: string;
  searchable: boolean;
  searched_by_default: boolean;
}

export type Mapping = Record<string, unknown>;

export interface MappingView {
  inspect: Mapping | null;
  registered: Mapping | null;
  fields?: FieldInfo[];
}

export interface BuildConf {
  _id?: string;
  name: string;
  doc_type?: string;
  sources: string[];
  root?: string[];
  build_version?: string;
  num_shards?: number;
  num_replicas?: number;
  _meta?: Record<string, unknown>;
  updated_at?: string;
}

export interface IndexRecord extends Job {
  environment?: string;
  created_at?: string;
}

export interface Build {
  _id: string;
  status?: string;
  count?: number;
  started_at?: string;
  finished_at?: string;
  build_version?: string;
  build_config?: BuildConf;
  jobs?: (Job & { step?: string })[];
  merge_stats?: Record<string, number>;
  mapping?: Mapping;
  _meta?: {
    biothing_type?: string;
    build_date?: string;
    build_version?: string;
    stats?: Record<string, number>;
    src?: Record<string, { version?: string; download_date?: string; upload_date?: string; license?: string; url?: string; stats?: Record<string, number>; code?: { commit?: string; branch?: string; url?: string } }>;
  };
  index?: Record<string, IndexRecord>;
  diff?: Record<
    string,
    {
      folder: string;
      stats?: Record<string, number>;
      created_at?: string;
      mapping_changed?: boolean;
      /** the indexes the diff was applied to, with the number of files applied */
      synced?: { index: string; applied: number; updated_at?: string }[];
    }
  >;
  release_note?: Record<string, { txt?: string; created_at?: string; json_text?: string }>;
  err?: string;
}

export interface ReleaseOptions {
  full: { possible: boolean };
  incremental: {
    possible: boolean;
    reason?: string;
    previous?: string;
    threshold_percent?: number;
    changed_percent?: number;
    recommend_full?: boolean;
  };
}

export interface ApiInstance {
  _id: string;
  name: string;
  index: string;
  port: number;
  host?: string;
  description?: string;
  status: string;
  url?: string;
  err?: string | null;
}

export interface Status {
  studio?: { version?: string; uptime?: string };
  temporal?: { web_ui?: string; namespace?: string; address?: string; task_queue?: string; ok?: boolean };
}

export interface JobManager {
  task_queues?: { name: string; kind: string; backlog?: number; pollers?: { identity: string; last_access?: string }[] }[];
  activities?: {
    workflow_id: string;
    workflow_type?: string;
    activity_id?: string;
    activity_type?: string;
    state?: string;
    attempt?: number;
    progress?: Progress;
    last_heartbeat?: string;
    worker?: string;
  }[];
  processes?: {
    role: string;
    identity?: string;
    pid?: number;
    host?: string;
    rss_bytes?: number;
    heap_bytes?: number;
    goroutines?: number;
    updated_at?: string;
  }[];
}

/** LiveEvent is one message of the /ws live channel. */
export interface LiveEvent {
  op: "event";
  type: string;
  workflow_id: string;
  run_id?: string;
  workflow_type?: string;
  activity_id?: string;
  activity_type?: string;
  attempt?: number;
  progress?: Progress;
  status?: string;
  error?: string;
  time: string;
}
