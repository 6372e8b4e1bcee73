package web

import (
	"context"
	"fmt"
	"time"

	"storefront/models"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "sf_session"

// SignInSessions stores a signed-in session for each shopper, holding what
// a login through the form leaves in it, and returns the session cookie
// values in the same order. It is for tools that hold the database already
// and need many signed-in shoppers without a password check for each (the
// load harness signs in a thousand); no route calls it.
func SignInSessions(ctx context.Context, db *models.DB, externalIDs []string) ([]string, error) {
	store := db.Sessions()
	now := time.Now()
	expiry := now.Add(sessionLifetime)
	out := make([]string, 0, len(externalIDs))
	for _, id := range externalIDs {
		sh, err := db.ShopperByExternalID(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("web: sign in shopper %s: %w", id, err)
		}
		b, err := sessionCodec{}.Encode(expiry, map[string]interface{}{
			sessShopperID: int(sh.ID), sessShopperKey: sh.ExternalID, sessShopperName: sh.Name, sessSeen: now.Unix(),
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
