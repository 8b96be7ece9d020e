// Package hubauth keeps the hub API closed to strangers: on loopback it is
// open to the local user; listening elsewhere needs a token, generated on
// first start, shown once, and stored only as its SHA-256 in the data
// folder.
package hubauth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// FileName is the file, in the data folder, holding the token's hash.
const FileName = "hub_token.sha256"

// Hash is the SHA-256 of a token, hex-encoded.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Check says whether token matches the stored hash, in constant time.
func Check(hash, token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(Hash(token)), []byte(hash)) == 1
}

// IsLoopback says whether a listen address (host:port) only accepts local
// connections.
func IsLoopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Setup decides the hub's protection for a listen address. On loopback it
// returns "" (open) unless a token is given. Elsewhere it returns the hash
// to check: of the given token, else the stored one, else of a new token,
// which it returns as fresh (to be shown once) after storing its hash.
func Setup(dataDir, listen, given string) (hash, fresh string, err error) {
	if given != "" {
		return Hash(given), "", nil
	}
	if IsLoopback(listen) {
		return "", "", nil
	}
	path := filepath.Join(dataDir, FileName)
	b, err := os.ReadFile(path)
	if err == nil {
		h := strings.TrimSpace(string(b))
		if len(h) != 64 {
			return "", "", fmt.Errorf("hub token hash %s is damaged: delete it to get a new token", path)
		}
		return h, "", nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", "", fmt.Errorf("hub token hash %s: %w", path, err)
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", "", err
	}
	fresh = hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(Hash(fresh)+"\n"), 0o600); err != nil {
		return "", "", fmt.Errorf("hub token hash %s: %w", path, err)
	}
	return Hash(fresh), fresh, nil
}

// FromRequest finds the token a client sent: "Authorization: Bearer
// <token>", the X-Studio-Token header, or (for browsers' websockets) the
// token query parameter.
func FromRequest(header func(string) string, query func(string) string) string {
	if a := header("Authorization"); strings.HasPrefix(a, "Bearer ") {
		return strings.TrimPrefix(a, "Bearer ")
	}
	if t := header("X-Studio-Token"); t != "" {
		return t
	}
	return query("token")
}
