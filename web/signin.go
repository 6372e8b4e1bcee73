package web

import (
	"context"
	"fmt"
	"time"

	"storefront/models"
)

// SessionCookie is the name of the session cookie over plain http; behind
// TLS it is hostSessionCookie.
const SessionCookie = "sf_session"

// hostSessionCookie is the session cookie's name behind TLS (secure
// cookies): a browser keeps a __Host- cookie only when the shop's own host
// set it (Secure, path /, no Domain), so a page on a sibling subdomain
// cannot plant a session of its own choosing (signing a shopper into the
// attacker's account, to read what they then type in).
const hostSessionCookie = "__Host-sf_session"

// sessionCookieName is the session cookie's name with or without secure
// cookies (the __Host- prefix needs Secure).
func sessionCookieName(secure bool) string {
	if secure {
		return hostSessionCookie
	}
	return SessionCookie
}

// SignInSessions stores a signed-in session for each shopper, holding what
// a login through the form leaves in it, and returns the session cookie
// values in the same order. It is for tools that hold the database already
// and need many signed-in shoppers without a password check for each (the
// load harness signs in a thousand); no route calls it.
func SignInSessions(ctx context.Context, db *models.DB, externalIDs []string) ([]string, error) {
	store := db.Sessions()
	store.Owner = sessionOwner
	now := time.Now()
	expiry := now.Add(sessionLifetime)
	out := make([]string, 0, len(externalIDs))
	for _, id := range externalIDs {
		sh, err := db.ShopperByExternalID(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("web: sign in shopper %s: %w", id, err)
		}
		b, err := sessionCodec{}.Encode(expiry, map[string]interface{}{
			sessShopperID: int(sh.ID), sessShopperKey: sh.ExternalID, sessShopperName: headerName(sh), sessSeen: now.Unix(),
		})
		if err != nil {
			return nil, err
		}
		token := randomToken(32)
		if err := store.CommitCtx(ctx, token, b, expiry); err != nil {
			return nil, err
		}
		out = append(out, token)
	}
	return out, nil
}
