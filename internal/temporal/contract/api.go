package contract

// APIInput names an API instance (a record of the hub "api" collection).
type APIInput struct {
	Name string `json:"name"`
}
