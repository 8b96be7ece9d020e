package contract

import "fmt"

// Workflow ids are deterministic, so that starting a step twice finds the
// run already there instead of running it twice.

// PluginID is the id of a plugin's registration and unregistration.
func PluginID(name string) string { return "plugin/" + name }

// DumpID is the id of a source's dump, and of the Temporal Schedule that
// starts it.
func DumpID(source string) string { return "dump/" + source }

// UploadID is the id of a source's upload.
func UploadID(source string) string { return "upload/" + source }

// UploadSubID is the id of one uploader's child run of an upload.
func UploadSubID(source, sub string) string { return "upload/" + source + "/" + sub }

// UploadJobRangeID is the id of the child run of a parallel upload's jobs
// first to last (from 1).
func UploadJobRangeID(source, sub string, first, last int) string {
	return fmt.Sprintf("upload/%s/%s/jobs-%d-%d", source, sub, first, last)
}

// InspectID is the id of the inspection of a sub-source or a build.
func InspectID(name string) string { return "inspect/" + name }

// BuildID is the id of the build id of configuration config.
func BuildID(config, id string) string { return "build/" + config + "/" + id }

// IndexID is the id of a full release into index.
func IndexID(index string) string { return "index/" + index }

// DiffID is the id of the diff of builds old and new.
func DiffID(old, new string) string { return "diff/" + old + "-" + new }

// SyncID is the id of a sync of index.
func SyncID(index string) string { return "sync/" + index }

// APIID is the id of the service run of data API instance name.
func APIID(name string) string { return "api/" + name }

// ReleaseNoteID is the id of the release note of the diff of old and new.
func ReleaseNoteID(old, new string) string { return "release_note/" + old + "-" + new }

// ValidateMappingID is the id of one mapping validation; token (random,
// picked by whoever starts it) keeps validations apart.
func ValidateMappingID(token string) string { return "mapping/validate/" + token }

// DeleteBuildID is the id of the deletion of build id.
func DeleteBuildID(id string) string { return "delete_build/" + id }

// NewPluginID is the id of the registration and first dump of plugin
// name, made from a file.
func NewPluginID(name string) string { return "new_plugin/" + name }
