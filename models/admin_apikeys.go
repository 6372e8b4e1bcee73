package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// API key scopes.
const (
	ScopeEvents          = "events"
	ScopeRecommendations = "recommendations"
	ScopeAll             = "all"
)

// APIKeyPrefix starts every API key secret, so a leaked key is recognisable.
const APIKeyPrefix = "sf_"

func hashAPIKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Allows reports whether the key may be used for scope.
func (k *APIKey) Allows(scope string) bool {
	return k.RevokedAt == nil && (k.Scope == ScopeAll || k.Scope == scope)
}

// CreateAPIKey makes a new key and returns its secret, which is not stored
// and cannot be shown again: only a SHA-256 hash and a short prefix are kept.
func (db *DB) CreateAPIKey(ctx context.Context, actor, name, scope string) (string, *APIKey, error) {
	name = strings.TrimSpace(name)
	f := map[string]string{}
	if name == "" {
		f["name"] = "Name the key after who will use it."
	} else if len(name) > 80 {
		f["name"] = "Use at most 80 characters."
	}
	switch scope {
	case ScopeEvents, ScopeRecommendations, ScopeAll:
	default:
		f["scope"] = "Choose a scope."
	}
	if len(f) > 0 {
		return "", nil, &ValidationError{Fields: f}
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("models: create api key: %w", err)
	}
	secret := APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	k := &APIKey{Name: name, Prefix: secret[:len(APIKeyPrefix)+6], Hash: hashAPIKey(secret), Scope: scope, CreatedAt: time.Now().UTC()}
	err := db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(k).Error; err != nil {
			return err
		}
		return audit(tx, actor, "apikey.create", k.Prefix+"…", fmt.Sprintf("%s (%s)", name, scope))
	})
	if err != nil {
		return "", nil, fmt.Errorf("models: create api key: %w", err)
	}
	return secret, k, nil
}

// ListAPIKeys lists every key, newest first, revoked ones included.
func (db *DB) ListAPIKeys(ctx context.Context) ([]APIKey, error) {
	var ks []APIKey
	if err := db.R.WithContext(ctx).Order("id DESC").Find(&ks).Error; err != nil {
		return nil, fmt.Errorf("models: list api keys: %w", err)
	}
	return ks, nil
}

// RevokeAPIKey stops a key from working. Revoking twice is not an error.
func (db *DB) RevokeAPIKey(ctx context.Context, actor string, id uint) error {
	err := db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var k APIKey
		if err := tx.First(&k, id).Error; err != nil {
			return notFound(err, "revoke api key %d", id)
		}
		if k.RevokedAt != nil {
			return nil
		}
		now := time.Now().UTC()
		if err := tx.Model(&APIKey{}).Where("id = ?", id).Update("revoked_at", now).Error; err != nil {
			return fmt.Errorf("models: revoke api key %d: %w", id, err)
		}
		return audit(tx, actor, "apikey.revoke", k.Prefix+"…", k.Name)
	})
	// Dropped after the commit, whatever happened: a lookup that read the
	// key before the revocation committed cannot put it back (forget).
	db.apiKeys.forget()
	return err
}

// apiKeyTTL is how long APIKeyByToken trusts a key it found without asking
// the database again. Every event API request names its key, and the
// lookup was a query per request; now it is one per key and second. A
// revocation through this DB takes effect at once (RevokeAPIKey empties
// the cache); one made by another process or instance on the same
// database within apiKeyTTL.
const apiKeyTTL = time.Second

// apiKeyCache holds the keys APIKeyByToken found recently, by hash. Only
// keys found valid are kept (an unknown token asks the database every
// time), so its size is bounded by the number of keys in the database.
type apiKeyCache struct {
	mu  sync.Mutex
	m   map[string]cachedAPIKey
	gen uint64           // bumped by forget: lookups begun before it do not store
	now func() time.Time // the clock; tests move it
}

type cachedAPIKey struct {
	key APIKey
	at  time.Time
}

func (c *apiKeyCache) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// get returns a copy of the key cached under hash if it is fresh, and the
// generation a lookup must present to store its answer.
func (c *apiKeyCache) get(hash string) (*APIKey, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[hash]; ok {
		if age := c.clock().Sub(e.at); age >= 0 && age < apiKeyTTL {
			k := e.key
			return &k, c.gen
		}
		delete(c.m, hash)
	}
	return nil, c.gen
}

// put keeps a key found valid, unless the cache was emptied since the
// lookup began (gen).
func (c *apiKeyCache) put(hash string, k *APIKey, gen uint64, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) >= 1024 {
		c.m = map[string]cachedAPIKey{}
	}
	c.m[hash] = cachedAPIKey{key: *k, at: at}
}

// forget empties the cache.
func (c *apiKeyCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
	c.gen++
}

// APIKeyByToken returns the non-revoked key whose secret is token, or
// ErrNotFound. A key found valid is trusted for apiKeyTTL (see there).
func (db *DB) APIKeyByToken(ctx context.Context, token string) (*APIKey, error) {
	if !strings.HasPrefix(token, APIKeyPrefix) || len(token) > 200 {
		return nil, fmt.Errorf("models: api key by token: %w", ErrNotFound)
	}
	hash := hashAPIKey(token)
	k, gen := db.apiKeys.get(hash)
	if k != nil {
		return k, nil
	}
	// The time the answer is as of: taken before the query, so an entry
	// never outlives apiKeyTTL from the moment the database was asked.
	asOf := db.apiKeys.clock()
	k = &APIKey{}
	err := db.R.WithContext(ctx).Where("hash = ? AND revoked_at IS NULL", hash).First(k).Error
	if err != nil {
		return nil, notFound(err, "api key by token")
	}
	db.apiKeys.put(hash, k, gen, asOf)
	return k, nil
}
