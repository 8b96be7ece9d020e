package server

import (
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// readBody decodes a request body into v. The hub API speaks JSON: a body is
// read as JSON whatever its Content-Type says (curl -d sends
// application/x-www-form-urlencoded, some clients text/plain), except a
// real form (key=value pairs under a form content type), which is read as
// a form as before.
func readBody(c *fiber.Ctx, v any) error {
	body := c.Body()
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	isForm := strings.HasPrefix(ct, fiber.MIMEApplicationForm) || strings.HasPrefix(ct, fiber.MIMEMultipartForm)
	if isForm && !looksLikeJSON(body) {
		return c.BodyParser(v)
	}
	return json.Unmarshal(body, v)
}

// looksLikeJSON is true when body starts, after spaces, as a JSON object or
// array does.
func looksLikeJSON(body []byte) bool {
	for _, b := range body {
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[':
			return true
		}
		return false
	}
	return false
}
