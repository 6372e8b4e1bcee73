package models

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"gorm.io/gorm"
)

// A crowd of fake visitors, each within every per-client budget (a few
// events each, 30 new visitors a minute an address), moved a product into
// real shoppers' "Goes with …" rows: 2,000 visitors who each viewed a
// popular product and carted one nobody had touched made it the popular
// one's nearest neighbour, first on the lists of shoppers who viewed it.
// The training sees user keys only, so it could not tell 2,000 visitors
// of one network from 2,000 shoppers. So a visitor id the shop mints
// carries its origin: a pseudonym of the client's network (IPv4 /24, IPv6
// /48) on the UTC day it was minted, a keyed hash that rotates daily and
// never holds the address, and a MAC under the shop's visitor key, so only
// ids the shop minted are read as such (never an import's user ids). The
// training reads the origin back and leaves out the visitors of an origin
// that minted a crowd (shop.dropCrowds).

// visitorOriginBytes, visitorRandomBytes and visitorMACBytes make up a
// visitor id: origin, randomness, MAC, in unpadded base64url.
const (
	visitorOriginBytes = 3
	visitorRandomBytes = 12
	visitorMACBytes    = 3
	visitorIDLen       = (visitorOriginBytes + visitorRandomBytes + visitorMACBytes) * 4 / 3
)

// visitorNetwork is the network a client address is counted in: its /24
// (IPv4) or /48 (IPv6), the block one client or site usually holds.
func visitorNetwork(ip string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return "?" + ip[:min(len(ip), 64)]
	}
	a = a.Unmap()
	bits := 24
	if a.Is6() {
		bits = 48
	}
	p, _ := a.Prefix(bits)
	return p.String()
}

// originBytes is the pseudonym of a client's network on now's UTC day
// under the shop's visitor key.
func originBytes(key []byte, ip string, now time.Time) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("visitor origin\x00" + now.UTC().Format(time.DateOnly) + "\x00" + visitorNetwork(ip)))
	return m.Sum(nil)[:visitorOriginBytes]
}

// NetworkOrigin is the origin a visitor id minted for a client at ip on
// now's UTC day carries (VisitorOrigins.Origin reads it back): what an
// account registered from there keeps (Shopper.Origin).
func NetworkOrigin(key []byte, ip string, now time.Time) string {
	return base64.RawURLEncoding.EncodeToString(originBytes(key, ip, now))
}

// NewVisitorID mints a visitor id for a client at ip on now's UTC day
// under the shop's visitor key.
func NewVisitorID(key []byte, ip string, now time.Time) string {
	var b [visitorOriginBytes + visitorRandomBytes + visitorMACBytes]byte
	copy(b[:visitorOriginBytes], originBytes(key, ip, now))
	if _, err := rand.Read(b[visitorOriginBytes : visitorOriginBytes+visitorRandomBytes]); err != nil {
		panic(err)
	}
	copy(b[visitorOriginBytes+visitorRandomBytes:], visitorIDMAC(key, b[:visitorOriginBytes+visitorRandomBytes]))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func visitorIDMAC(key, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("visitor id\x00"))
	m.Write(body)
	return m.Sum(nil)[:visitorMACBytes]
}

// VisitorOrigins reads the origin of visitor user keys ("v:" and an id
// NewVisitorID minted under key); other keys have none.
type VisitorOrigins struct{ key []byte }

// VisitorOriginsFor reads origins under the visitor key.
func VisitorOriginsFor(key []byte) VisitorOrigins { return VisitorOrigins{key: key} }

// Origin returns the origin of the user key, or "" when the shop did not
// mint it (a shopper, an import's id, a visitor from before origins).
func (o VisitorOrigins) Origin(userKey string) string {
	id, ok := strings.CutPrefix(userKey, "v:")
	if !ok || len(id) != visitorIDLen || o.key == nil {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || len(b) != visitorOriginBytes+visitorRandomBytes+visitorMACBytes {
		return ""
	}
	body := b[:visitorOriginBytes+visitorRandomBytes]
	if !hmac.Equal(visitorIDMAC(o.key, body), b[len(body):]) {
		return ""
	}
	return id[:visitorOriginBytes*4/3]
}

// VisitorOriginsOf reads the shop's visitor key without making one: a
// shop no server has served has no minted visitors.
func (db *DB) VisitorOriginsOf(ctx context.Context) (VisitorOrigins, error) {
	var s Setting
	err := db.R.WithContext(ctx).Where("key = ?", settingVisitorKey).First(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return VisitorOrigins{}, nil
	}
	if err != nil {
		return VisitorOrigins{}, fmt.Errorf("models: read visitor cookie key: %w", err)
	}
	key, err := hex.DecodeString(s.Value)
	if err != nil || len(key) < 16 {
		return VisitorOrigins{}, fmt.Errorf("models: visitor cookie key is damaged (setting %s)", settingVisitorKey)
	}
	return VisitorOrigins{key: key}, nil
}

// AccountOrigins answers the origin of every account registered with one
// (Shopper.Origin) that has placed no order, by user key: the training
// counts them with the visitors of their network and day. A shopper who
// bought is never counted as a crowd: a crowd's accounts cost nothing,
// its orders would.
func (db *DB) AccountOrigins(ctx context.Context) (map[string]string, error) {
	var rows []struct{ ExternalID, Origin string }
	err := db.R.WithContext(ctx).Model(&Shopper{}).Select("external_id, origin").
		Where("origin <> '' AND NOT EXISTS (SELECT 1 FROM orders WHERE orders.shopper_id = shoppers.id)").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: read the accounts' origins: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.ExternalID] = r.Origin
	}
	return out, nil
}

// sqlHoldsVisitor: 1 when a user key has an event (either index half by
// user) or a cart line.
var sqlHoldsVisitor = `SELECT CASE WHEN EXISTS (SELECT 1 FROM events WHERE user_key = ? AND ` + userEventHalves[0] + `)
	OR EXISTS (SELECT 1 FROM events WHERE user_key = ? AND ` + userEventHalves[1] + `)
	OR EXISTS (SELECT 1 FROM cart_items WHERE owner_key = ?) THEN 1 ELSE 0 END`

// HoldsVisitor reports whether the shop holds anything of the visitor id:
// an event or a cart line under "v:"+id. A cookie of the form the shop
// issued before it signed them is unsigned, so anyone can make one, and
// its id names no network (the training never leaves it out as a crowd):
// only a visitor the shop has a history of is adopted by it, a made-up one
// is a new visitor of its network.
func (db *DB) HoldsVisitor(ctx context.Context, id string) (bool, error) {
	key := "v:" + id
	var held int
	err := db.R.WithContext(ctx).Raw(sqlHoldsVisitor, key, key, key).Scan(&held).Error
	if err != nil {
		return false, fmt.Errorf("models: look up visitor: %w", err)
	}
	return held == 1, nil
}
