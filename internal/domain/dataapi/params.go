package dataapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"studio/internal/domain/dataapi/apiopts"
)

// readParams gathers a request's parameters: the URL query, and for POST
// the body, form-encoded (urlencoded or multipart) or JSON, merged the
// BioThings way (apiopts.Merge: the URL wins). A body with no
// Content-Type is read as JSON when it starts with "{", else as a form.
// An empty body adds nothing.
func readParams(w http.ResponseWriter, r *http.Request) (map[string][]string, int, *apiopts.Error) {
	query := apiopts.FromForm(r.URL.Query())
	if r.Method != http.MethodPost || r.Body == nil {
		return query, 0, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return query, http.StatusRequestEntityTooLarge, &apiopts.Error{Code: http.StatusRequestEntityTooLarge,
				Message: fmt.Sprintf("The body is larger than %d MiB; send fewer ids or terms per request.", MaxBodyBytes>>20)}
		}
		return query, http.StatusBadRequest, &apiopts.Error{Code: http.StatusBadRequest, Message: "The body could not be read: " + err.Error()}
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return query, 0, nil
	}
	mt, mtParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var fromBody map[string][]string
	var perr *apiopts.Error
	switch {
	case mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json"):
		fromBody, perr = apiopts.FromJSON(body)
	case mt == "multipart/form-data":
		fromBody, perr = multipartParams(body, mtParams["boundary"])
	case mt == "application/x-www-form-urlencoded":
		fromBody, perr = formParams(body)
	case trimmed[0] == '{' || trimmed[0] == '[':
		fromBody, perr = apiopts.FromJSON(body)
	default:
		fromBody, perr = formParams(body)
	}
	if perr != nil {
		return query, perr.Code, perr
	}
	return apiopts.Merge(query, fromBody), 0, nil
}

func formParams(body []byte) (map[string][]string, *apiopts.Error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, &apiopts.Error{Code: http.StatusBadRequest, Message: "Invalid form body.",
			Reason: err.Error() + "; percent-encode the values, or send a JSON object with Content-Type: application/json."}
	}
	return apiopts.FromForm(form), nil
}

func multipartParams(body []byte, boundary string) (map[string][]string, *apiopts.Error) {
	invalid := func(err error) *apiopts.Error {
		return &apiopts.Error{Code: http.StatusBadRequest, Message: "Invalid form body.", Reason: err.Error()}
	}
	if boundary == "" {
		return nil, invalid(errors.New("multipart/form-data without a boundary"))
	}
	form, err := multipart.NewReader(bytes.NewReader(body), boundary).ReadForm(MaxBodyBytes)
	if err != nil {
		return nil, invalid(err)
	}
	defer func() { _ = form.RemoveAll() }()
	return apiopts.FromForm(url.Values(form.Value)), nil
}
