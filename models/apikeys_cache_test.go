package models

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A key found valid is served from memory for apiKeyTTL; a revocation
// through the same database handle takes effect at once, one through
// another handle (another instance, a command) once apiKeyTTL has passed.
func TestAPIKeyLookupsAreCachedAndRevocationsStopThem(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)
	db.apiKeys.now = func() time.Time { return now }

	secret, key, err := db.CreateAPIKey(ctx, "test", "tracker", ScopeEvents)
	if err != nil {
		t.Fatal(err)
	}
	k, err := db.APIKeyByToken(ctx, secret)
	if err != nil || k.ID != key.ID || !k.Allows(ScopeEvents) {
		t.Fatalf("first lookup: %+v, %v", k, err)
	}
	k.Scope = ScopeAll // a caller changing its copy does not change the cached key
	if k, err := db.APIKeyByToken(ctx, secret); err != nil || k.Scope != ScopeEvents {
		t.Fatalf("second lookup: %+v, %v", k, err)
	}

	// Revoked by another instance on the same database: this one keeps
	// the key for at most apiKeyTTL, and refuses it after.
	other, err := Open(db.Target())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.RevokeAPIKey(ctx, "test", key.ID); err != nil {
		t.Fatal(err)
	}
	now = now.Add(apiKeyTTL / 2)
	if _, err := db.APIKeyByToken(ctx, secret); err != nil {
		t.Fatalf("within apiKeyTTL the cached key is served without a query: %v", err)
	}
	now = now.Add(apiKeyTTL / 2)
	if _, err := db.APIKeyByToken(ctx, secret); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoked by another instance apiKeyTTL ago, still accepted: %v", err)
	}
	if _, err := other.APIKeyByToken(ctx, secret); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the revoking instance accepts its revoked key: %v", err)
	}

	// Revoked through this handle: refused at once, cached or not.
	secret2, key2, err := db.CreateAPIKey(ctx, "test", "feed", ScopeAll)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.APIKeyByToken(ctx, secret2); err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeAPIKey(ctx, "test", key2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.APIKeyByToken(ctx, secret2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoked through this handle, still accepted from the cache: %v", err)
	}
	// Unknown tokens are asked every time, never remembered.
	if _, err := db.APIKeyByToken(ctx, secret2+"x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}
	if n := len(db.apiKeys.m); n != 0 {
		t.Fatalf("%d keys cached after the only valid one was revoked", n)
	}
}

// A lookup that read a key before a revocation committed must not put it
// back into the cache the revocation emptied.
func TestAPIKeyLookupBegunBeforeARevocationDoesNotStore(t *testing.T) {
	var c apiKeyCache
	k, gen := c.get("h")
	if k != nil {
		t.Fatal("empty cache answered")
	}
	c.forget() // a revocation commits while the lookup's query runs
	c.put("h", &APIKey{ID: 1, Scope: ScopeAll}, gen, time.Now())
	if k, _ := c.get("h"); k != nil {
		t.Fatal("a lookup begun before the revocation stored its key")
	}
	_, gen = c.get("h")
	c.put("h", &APIKey{ID: 1, Scope: ScopeAll}, gen, time.Now())
	if k, _ := c.get("h"); k == nil || k.ID != 1 {
		t.Fatal("a lookup begun after the revocation did not store its key")
	}
}
