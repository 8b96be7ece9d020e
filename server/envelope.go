package server

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"studio/internal/temporal/commands"
)

// ok writes the hub envelope of a success.
func ok(c *fiber.Ctx, result any) error {
	return c.JSON(fiber.Map{"result": result, "status": "ok"})
}

// apiError is an error with the HTTP status it should be answered with.
type apiError struct {
	code int
	msg  string
}

func (e *apiError) Error() string { return e.msg }

// fail returns an error that the error handler answers with code.
func fail(code int, msg string) error { return &apiError{code: code, msg: msg} }

// errorHandler writes the hub envelope of a failure for every error a
// handler returns: {"status":"error","error":...,"code":N}.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	code := fiber.StatusInternalServerError
	var ae *apiError
	var fe *fiber.Error
	switch {
	case errors.As(err, &ae):
		code = ae.code
	case errors.As(err, &fe):
		code = fe.Code
		if code == fiber.StatusRequestEntityTooLarge {
			err = fmt.Errorf("request body too large: the hub API takes at most %d MiB", bodyLimit>>20)
		}
	}
	msg := err.Error()
	if code >= 500 {
		s.deps.Log.Error("hub api", "method", c.Method(), "path", c.Path(), "err", err)
		// Engine failures reach people without Temporal's wrapping.
		msg = commands.ErrorText(err)
	}
	return c.Status(code).JSON(fiber.Map{"status": "error", "error": msg, "code": code})
}
