package dataapi

import (
	"sync"
	"time"
)

// maxCachedAnswers bounds the answer cache; when full it starts over,
// which is simpler than an LRU and enough for a hot set.
const maxCachedAnswers = 10_000

// cachedAnswer is a rendered answer.
type cachedAnswer struct {
	status  int
	ctype   string
	body    []byte
	expires time.Time
}

// answerCache keeps rendered answers for Config.CacheTTL.
type answerCache struct {
	ttl time.Duration
	mu  sync.RWMutex
	m   map[string]cachedAnswer
}

func newAnswerCache(ttl time.Duration) *answerCache {
	return &answerCache{ttl: ttl, m: map[string]cachedAnswer{}}
}

func (c *answerCache) get(key string) (cachedAnswer, bool) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || time.Now().After(e.expires) {
		return cachedAnswer{}, false
	}
	return e, true
}

func (c *answerCache) put(key string, e cachedAnswer) {
	e.expires = time.Now().Add(c.ttl)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedAnswers {
		c.m = make(map[string]cachedAnswer, len(c.m))
	}
	c.m[key] = e
}
