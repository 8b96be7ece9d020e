package hub

// The hub records, as Go types. Each one's JSON is the stored document:
// the fields Studio reads and writes are Go fields, the rest stays in
// Keep.Extra, and a record read and written back is the same JSON (see
// Keep). ui/src/lib/types.ts describes the same shapes for the web app.
//
// A command has no hub record: commands are Temporal workflow executions,
// read from Temporal (internal/temporal/commands).

// Plugin is a data_plugin record: one per registered data plugin, _id its
// name.
type Plugin struct {
	ID       string         `json:"_id"`
	Plugin   PluginInfo     `json:"plugin"`
	Manifest PluginManifest `json:"manifest"`
	Keep
}

// PluginInfo is data_plugin.plugin: where the plugin's code comes from.
type PluginInfo struct {
	URL          string `json:"url"`
	Type         string `json:"type"` // git or folder
	Folder       string `json:"folder"`
	Active       bool   `json:"active"`
	Loader       string `json:"loader"` // manifest or advanced
	Commit       string `json:"commit"`
	Branch       string `json:"branch"`
	Ref          string `json:"ref"`
	Release      string `json:"release"`
	RegisteredAt string `json:"registered_at"`
	Keep
}

// PluginManifest is data_plugin.manifest: what the hub shows of the
// plugin's manifest.
type PluginManifest struct {
	Version      string         `json:"version"`
	DisplayName  string         `json:"display_name"`
	BiothingType string         `json:"biothing_type"`
	DataURL      []string       `json:"data_url"`
	Uncompress   bool           `json:"uncompress"`
	Schedule     string         `json:"schedule"`
	Uploaders    []string       `json:"uploaders"`
	Metadata     map[string]any `json:"__metadata__"`
	Keep
}

// Source is a src_dump record: one per source (plugin), _id its name,
// with the state of its dump, its uploads and its sub-sources' inspections.
type Source struct {
	ID            string   `json:"_id"`
	SrcName       string   `json:"src_name"`
	DataPlugin    string   `json:"data_plugin"` // the plugin's name
	PluginRelease string   `json:"plugin_release"`
	Download      Download `json:"download"`
	Upload        Uploads  `json:"upload"`
	Inspect       Inspects `json:"inspect"`
	// Pending lists what waits to run ("upload" after a dump, until an
	// upload succeeds).
	Pending []string `json:"pending"`
	Keep
}

// Download is src_dump.download: the last dump.
type Download struct {
	Status      string         `json:"status"` // Downloading, Success, Failed, Canceled
	StartedAt   string         `json:"started_at"`
	Release     string         `json:"release"`
	DataFolder  string         `json:"data_folder"`
	Logfile     string         `json:"logfile"`
	Err         string         `json:"err"`
	LastSuccess string         `json:"last_success"`
	Time        float64        `json:"time"` // seconds
	Files       []DownloadFile `json:"files"`
	Unpacked    []string       `json:"unpacked"`
	Keep
}

// DownloadFile is one downloaded file.
type DownloadFile struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
	URL  string `json:"url"` // credentials redacted
	Keep
}

// Uploads is src_dump.upload.
type Uploads struct {
	Jobs map[string]UploadJob `json:"jobs"` // by sub-source
	Keep
}

// UploadJob is src_dump.upload.jobs.<sub>: the last upload of a
// sub-source.
type UploadJob struct {
	Status      string `json:"status"` // uploading, Success, Failed
	Step        string `json:"step"`
	Release     string `json:"release"`
	DataFolder  string `json:"data_folder"`
	StartedAt   string `json:"started_at"`
	Err         string `json:"err"`
	LastSuccess string `json:"last_success"`
	// Jobs and Temp are a parallel upload's number of jobs and its temp
	// collection.
	Jobs          int64    `json:"jobs"`
	Temp          string   `json:"temp"`
	Count         int64    `json:"count"`
	Time          float64  `json:"time"` // seconds
	Rejected      int64    `json:"rejected"`
	RejectSamples []string `json:"reject_samples"`
	Keep
}

// Inspects is src_dump.inspect.
type Inspects struct {
	Jobs map[string]Inspection `json:"jobs"` // by sub-source
	Keep
}

// Inspection is the last inspection of a sub-source
// (src_dump.inspect.jobs.<sub>) or of a build (src_build.inspect).
type Inspection struct {
	Status    string   `json:"status"` // inspecting, Success, Failed
	StartedAt string   `json:"started_at"`
	Err       string   `json:"err"`
	Mode      []string `json:"mode"`
	// Results is the inspection's result (inspect.Result); a sub-source's
	// results.mapping is the inspected mapping, which the user edits.
	Results     map[string]any `json:"results"`
	Time        float64        `json:"time"` // seconds
	Count       int64          `json:"count"`
	LastSuccess string         `json:"last_success"`
	EditedAt    string         `json:"edited_at"` // when the mapping was last edited
	Keep
}

// Mapping is the inspected mapping of the inspection (results.mapping),
// nil when there is none.
func (i Inspection) Mapping() map[string]any {
	m, _ := i.Results["mapping"].(map[string]any)
	return m
}

// Master is a src_master record: one per sub-source (uploader), _id its
// name, with its registered mapping and its metadata.
type Master struct {
	ID        string `json:"_id"`
	Name      string `json:"name"`
	Source    string `json:"source"` // the src_dump record (the plugin)
	Timestamp string `json:"timestamp"`
	Release   string `json:"release"`
	Count     int64  `json:"count"`
	// SrcMeta is the manifest's __metadata__ (license, url, ...) with
	// code: {repo, url, commit, branch}.
	SrcMeta            map[string]any `json:"src_meta"`
	Mapping            map[string]any `json:"mapping"` // the registered mapping
	MappingCommittedAt string         `json:"mapping_committed_at"`
	Keep
}

// BuildConfig is a src_build_config record (_id its name), and the copy of
// it a build keeps in src_build.build_config (without _id and updated_at).
// Package buildconf gives it its rules.
type BuildConfig struct {
	ID           string         `json:"_id"`
	Name         string         `json:"name"`
	DocType      string         `json:"doc_type"`
	Sources      []string       `json:"sources"`
	Root         []string       `json:"root"`
	BuildVersion string         `json:"build_version"`
	NumShards    int            `json:"num_shards"`
	NumReplicas  int            `json:"num_replicas"`
	Meta         map[string]any `json:"_meta"`
	// ExtraIndexSettings is an object of index settings, or a string
	// holding one, as BioThings takes them (buildconf.IndexSettings).
	ExtraIndexSettings any    `json:"extra_index_settings"`
	UpdatedAt          string `json:"updated_at"`
	Keep
}

// Build is a src_build record: one per build, _id the build id (also the
// name of its collection in the target database).
type Build struct {
	ID            string           `json:"_id"`
	BuildConfig   BuildConfig      `json:"build_config"`
	TargetName    string           `json:"target_name"`
	TargetBackend string           `json:"target_backend"`
	BuildVersion  string           `json:"build_version"`
	Status        string           `json:"status"` // building, Success, Failed
	StartedAt     string           `json:"started_at"`
	FinishedAt    string           `json:"finished_at"`
	Err           string           `json:"err"`
	Jobs          []BuildJob       `json:"jobs"`
	Count         int64            `json:"count"`
	MergeStats    map[string]int64 `json:"merge_stats"` // documents merged, by source
	Mapping       map[string]any   `json:"mapping"`
	Meta          map[string]any   `json:"_meta"`
	// Index holds the full releases, by index name.
	Index map[string]Release `json:"index"`
	// Diff holds the diffs against older builds, by old build id.
	Diff map[string]Diff `json:"diff"`
	// ReleaseNote holds the release notes, by old build id.
	ReleaseNote map[string]ReleaseNote `json:"release_note"`
	Inspect     Inspection             `json:"inspect"`
	Keep
}

// BuildJob is one step of a build (src_build.jobs).
type BuildJob struct {
	Step      string  `json:"step"`
	Status    string  `json:"status"`
	StartedAt string  `json:"started_at"`
	Time      float64 `json:"time"` // seconds
	Keep
}

// Release is a full release of a build into an index
// (src_build.index.<index>).
type Release struct {
	Status        string   `json:"status"` // indexing, Success, Failed
	RunID         string   `json:"run_id"` // the Index workflow run that created the index
	StartedAt     string   `json:"started_at"`
	Count         int64    `json:"count"`
	Environment   string   `json:"environment"` // the search backend
	CreatedAt     string   `json:"created_at"`
	Rejected      int64    `json:"rejected"`
	RejectSamples []string `json:"reject_samples"`
	Time          float64  `json:"time"` // seconds
	Err           string   `json:"err"`
	Keep
}

// Diff is a diff of a build against an older one (src_build.diff.<old>).
type Diff struct {
	Folder              string    `json:"folder"`
	Stats               DiffStats `json:"stats"`
	MappingChanged      bool      `json:"mapping_changed"`
	MappingIncompatible []string  `json:"mapping_incompatible"`
	CreatedAt           string    `json:"created_at"`
	// Synced is not stored: Records.BuildWithSyncs fills it from
	// sync_state, for the hub API.
	Synced []Synced `json:"synced"`
	Keep
}

// DiffStats counts a diff's documents.
type DiffStats struct {
	Add    int64 `json:"add"`
	Update int64 `json:"update"`
	Delete int64 `json:"delete"`
	Same   int64 `json:"same"`
	Keep
}

// Changed is the number of documents the diff adds, updates or deletes.
func (s DiffStats) Changed() int64 { return s.Add + s.Update + s.Delete }

// Synced is an index a diff was applied to.
type Synced struct {
	Applied   int64  `json:"applied"` // files applied
	Index     string `json:"index"`
	UpdatedAt string `json:"updated_at"`
}

// ReleaseNote is the release note of a build against an older one
// (src_build.release_note.<old>). The note is kept as JSON text: its keys
// are field paths ("cgi.gene"), which MongoDB refuses as keys of a stored
// document.
type ReleaseNote struct {
	JSONText  string `json:"json_text"`
	Txt       string `json:"txt"`
	CreatedAt string `json:"created_at"`
	Keep
}

// DataAPI is an api record: a data API instance, _id its name.
type DataAPI struct {
	ID          string `json:"_id"`
	Name        string `json:"name"`
	Index       string `json:"index"`
	Port        int64  `json:"port"`
	Host        string `json:"host"`
	Description string `json:"description"`
	Status      string `json:"status"` // running, stopped
	URL         string `json:"url"`
	Err         string `json:"err"`
	CreatedAt   string `json:"created_at"`
	StartedAt   string `json:"started_at"`
	StoppedAt   string `json:"stopped_at"`
	// The data API's settings (dataapi.Settings), when given.
	ScrollSize   int64             `json:"scroll_size"`
	MaxFacetSize int64             `json:"max_facet_size"`
	NestedAggs   bool              `json:"nested_aggs"`
	Licenses     map[string]string `json:"licenses"`
	Keep
}

// Files is a worker_files record: which worker holds the files of a dump
// or a diff, _id "dump/<source>" or "diff/<old>-<new>".
type Files struct {
	ID        string `json:"_id"`
	Queue     string `json:"queue"` // the worker's own task queue; empty: any worker
	Folder    string `json:"folder"`
	UpdatedAt string `json:"updated_at"`
	Keep
}

// SyncFiles is a sync_state record: the files of a diff applied to an
// index, _id "<index>|<diff folder>".
type SyncFiles struct {
	ID        string   `json:"_id"`
	Index     string   `json:"index"`
	Diff      string   `json:"diff"` // the diff folder
	Applied   []string `json:"applied"`
	UpdatedAt string   `json:"updated_at"`
	Keep
}

func (r Plugin) MarshalJSON() ([]byte, error)          { return marshalRecord(&r) }
func (r *Plugin) UnmarshalJSON(b []byte) error         { return unmarshalRecord(b, r) }
func (r PluginInfo) MarshalJSON() ([]byte, error)      { return marshalRecord(&r) }
func (r *PluginInfo) UnmarshalJSON(b []byte) error     { return unmarshalRecord(b, r) }
func (r PluginManifest) MarshalJSON() ([]byte, error)  { return marshalRecord(&r) }
func (r *PluginManifest) UnmarshalJSON(b []byte) error { return unmarshalRecord(b, r) }
func (r Source) MarshalJSON() ([]byte, error)          { return marshalRecord(&r) }
func (r *Source) UnmarshalJSON(b []byte) error         { return unmarshalRecord(b, r) }
func (r Download) MarshalJSON() ([]byte, error)        { return marshalRecord(&r) }
func (r *Download) UnmarshalJSON(b []byte) error       { return unmarshalRecord(b, r) }
func (r DownloadFile) MarshalJSON() ([]byte, error)    { return marshalRecord(&r) }
func (r *DownloadFile) UnmarshalJSON(b []byte) error   { return unmarshalRecord(b, r) }
func (r Uploads) MarshalJSON() ([]byte, error)         { return marshalRecord(&r) }
func (r *Uploads) UnmarshalJSON(b []byte) error        { return unmarshalRecord(b, r) }
func (r UploadJob) MarshalJSON() ([]byte, error)       { return marshalRecord(&r) }
func (r *UploadJob) UnmarshalJSON(b []byte) error      { return unmarshalRecord(b, r) }
func (r Inspects) MarshalJSON() ([]byte, error)        { return marshalRecord(&r) }
func (r *Inspects) UnmarshalJSON(b []byte) error       { return unmarshalRecord(b, r) }
func (r Inspection) MarshalJSON() ([]byte, error)      { return marshalRecord(&r) }
func (r *Inspection) UnmarshalJSON(b []byte) error     { return unmarshalRecord(b, r) }
func (r Master) MarshalJSON() ([]byte, error)          { return marshalRecord(&r) }
func (r *Master) UnmarshalJSON(b []byte) error         { return unmarshalRecord(b, r) }
func (r BuildConfig) MarshalJSON() ([]byte, error)     { return marshalRecord(&r) }
func (r *BuildConfig) UnmarshalJSON(b []byte) error    { return unmarshalRecord(b, r) }
func (r Build) MarshalJSON() ([]byte, error)           { return marshalRecord(&r) }
func (r *Build) UnmarshalJSON(b []byte) error          { return unmarshalRecord(b, r) }
func (r BuildJob) MarshalJSON() ([]byte, error)        { return marshalRecord(&r) }
func (r *BuildJob) UnmarshalJSON(b []byte) error       { return unmarshalRecord(b, r) }
func (r Release) MarshalJSON() ([]byte, error)         { return marshalRecord(&r) }
func (r *Release) UnmarshalJSON(b []byte) error        { return unmarshalRecord(b, r) }
func (r Diff) MarshalJSON() ([]byte, error)            { return marshalRecord(&r) }
func (r *Diff) UnmarshalJSON(b []byte) error           { return unmarshalRecord(b, r) }
func (r DiffStats) MarshalJSON() ([]byte, error)       { return marshalRecord(&r) }
func (r *DiffStats) UnmarshalJSON(b []byte) error      { return unmarshalRecord(b, r) }
func (r ReleaseNote) MarshalJSON() ([]byte, error)     { return marshalRecord(&r) }
func (r *ReleaseNote) UnmarshalJSON(b []byte) error    { return unmarshalRecord(b, r) }
func (r DataAPI) MarshalJSON() ([]byte, error)         { return marshalRecord(&r) }
func (r *DataAPI) UnmarshalJSON(b []byte) error        { return unmarshalRecord(b, r) }
func (r Files) MarshalJSON() ([]byte, error)           { return marshalRecord(&r) }
func (r *Files) UnmarshalJSON(b []byte) error          { return unmarshalRecord(b, r) }
func (r SyncFiles) MarshalJSON() ([]byte, error)       { return marshalRecord(&r) }
func (r *SyncFiles) UnmarshalJSON(b []byte) error      { return unmarshalRecord(b, r) }
