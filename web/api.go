package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/recommender"
)

const ctxAPIKey = "api_key"

// bearerToken is the credentials of an Authorization header in the Bearer
// scheme, whose name is case-insensitive (RFC 9110 §11.1: "bearer",
// "BEARER" and "Bearer" are one scheme).
func bearerToken(header string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// requireAPIKey authenticates API clients by a bearer token (or X-API-Key)
// with the given scope.
func (s *Server) requireAPIKey(scope string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			tok, _ := bearerToken(c.Request().Header.Get("Authorization"))
			if tok == "" {
				tok = c.Request().Header.Get("X-API-Key")
			}
			if tok == "" {
				return echo.NewHTTPError(http.StatusUnauthorized, "missing API key: send Authorization: Bearer <key>")
			}
			key, err := s.db.APIKeyByToken(c.Request().Context(), tok)
			if errors.Is(err, models.ErrNotFound) {
				return echo.NewHTTPError(http.StatusUnauthorized, "invalid or revoked API key")
			}
			if err != nil {
				return err
			}
			if !key.Allows(scope) {
				return echo.NewHTTPError(http.StatusForbidden, fmt.Sprintf("this API key may not use %s", scope))
			}
			if ok, wait := s.apiLimit.allow(key.ID, key.Name); !ok {
				return s.apiLimit.refuse(c, wait)
			}
			c.Set(ctxAPIKey, key)
			return next(c)
		}
	}
}

// RecommendedItem is one item of the recommendations answer.
type RecommendedItem struct {
	ItemID string  `json:"item_id"`
	Score  float64 `json:"score"`
	Reason string  `json:"reason"`
}

// Recommendations is the answer shape shared with `storefront recommend`.
type Recommendations struct {
	UserID           string            `json:"user_id"`
	RecommendedItems []RecommendedItem `json:"recommended_items"`
}

// apiRecommendations answers GET /api/v1/recommendations?user_id=&slot=&strategy=&n=.
func (s *Server) apiRecommendations(c echo.Context) error {
	user := c.QueryParam("user_id")
	if user == "" || len(user) > 128 {
		return echo.NewHTTPError(http.StatusBadRequest, "query parameter user_id is required (at most 128 characters)")
	}
	// As the events API refuses it: an id no event can carry is a mistake
	// in the caller, not a stranger to answer with the best sellers.
	if p := models.TextProblem(user); p != "" {
		return echo.NewHTTPError(http.StatusBadRequest, "query parameter user_id: "+p)
	}
	n := 10
	if raw := c.QueryParam("n"); raw != "" {
		v, err := strconv.Atoi(raw)
		if err != nil || v < 1 || v > 100 {
			return echo.NewHTTPError(http.StatusBadRequest, "query parameter n must be a whole number from 1 to 100")
		}
		n = v
	}
	ctx := c.Request().Context()
	// The customer is found in the normal form the shop stores ids in;
	// the answer names them as asked.
	req := recommender.Request{User: models.NormalID(user), N: n, Strategy: recommender.Hybrid, ExcludeSeen: true}
	if name := c.QueryParam("strategy"); name != "" {
		st, err := recommender.ParseStrategy(name)
		if err != nil || st == recommender.Similar || st == recommender.AlsoBought {
			return echo.NewHTTPError(http.StatusBadRequest, "query parameter strategy must be one of "+apiStrategyNames())
		}
		req.Strategy = st
	}
	if slot := c.QueryParam("slot"); slot != "" {
		sl, err := s.findPublishedSlot(ctx, slot)
		if err != nil {
			return err
		}
		if kind, err := recommender.ParseSlotKind(sl.Type); err == nil {
			req.Strategy = kind.DefaultStrategy()
			if st, ok, _ := kind.ParseSlotStrategy(sl.Strategy); ok {
				req.Strategy = st
			}
		}
		req.Brands, req.MinPriceCents, req.MaxPriceCents = splitList(sl.Brands), sl.MinPrice, sl.MaxPrice
		req.Pins = s.shop.Catalog().PinsWithinFilters(sl)
		if ex := splitList(sl.Excludes); len(ex) > 0 {
			req.Exclude = map[string]bool{}
			for _, x := range ex {
				req.Exclude[x] = true
			}
		}
		cat := s.shop.Catalog()
		if node, ok := cat.CategoryBySlug(sl.Category); ok {
			req.Category = cat.RecName(node)
		}
	}
	items, err := s.RecommendFor(ctx, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, Recommendations{UserID: user, RecommendedItems: items})
}

// apiStrategyNames lists the strategies the API serves for a user alone
// (the anchored ones need a product).
func apiStrategyNames() string {
	var names []string
	for _, st := range recommender.Strategies() {
		if st != recommender.Similar && st != recommender.AlsoBought {
			names = append(names, st.String())
		}
	}
	return strings.Join(names, ", ")
}

// RecommendFor answers one user's recommendations (see shop.RecommendFor).
func (s *Server) RecommendFor(ctx context.Context, req recommender.Request) ([]RecommendedItem, error) {
	recs, err := s.shop.RecommendFor(ctx, req)
	if err != nil {
		return nil, err
	}
	out := make([]RecommendedItem, 0, len(recs))
	for _, r := range recs {
		out = append(out, RecommendedItem{ItemID: r.ItemID, Score: r.Score, Reason: r.Reason})
	}
	return out, nil
}

func (s *Server) findPublishedSlot(ctx context.Context, ref string) (*models.Slot, error) {
	slots, err := s.publishedHome(ctx)
	if err != nil {
		return nil, err
	}
	for i := range slots {
		sl := &slots[i]
		if slotKey(sl.ID) == ref || utoa(sl.ID) == ref || sl.Type == ref {
			return sl, nil
		}
	}
	return nil, echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("no published slot %q", ref))
}

// APIEvent is one event posted by an external tracker.
type APIEvent struct {
	UserID    string  `json:"user_id"`
	ProductID string  `json:"product_id"`
	Type      string  `json:"type"`
	Timestamp string  `json:"timestamp"`
	Value     float64 `json:"value"`
	Slot      string  `json:"slot"`
	Query     string  `json:"query"`
}

// MaxAPIEvents bounds one request to the events API.
const MaxAPIEvents = 1000

// apiEvents accepts a batch of events and answers only after the
// transaction holding them has committed.
func (s *Server) apiEvents(c echo.Context) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, 1<<20+1))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "could not read the request body")
	}
	if len(body) > 1<<20 {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "request body over 1 MiB")
	}
	in, err := decodeAPIEvents(body)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "body must be JSON: {\"events\":[{\"user_id\",\"product_id\",\"type\",\"timestamp\"}]}: "+err.Error())
	}
	if len(in) == 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "no events in the body")
	}
	if len(in) > MaxAPIEvents {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("at most %d events per request", MaxAPIEvents))
	}
	cat := s.shop.Catalog()
	events := make([]models.Event, 0, len(in))
	var problems []string
	forgotten := 0
	for i, e := range in {
		ev, problem := apiEventToModel(cat, e)
		if problem != "" {
			problems = append(problems, fmt.Sprintf("events[%d]: %s", i, problem))
			continue
		}
		// A customer deleted on request is not tracked again: a tracker
		// that still sends their id (an import leaves them out too).
		if s.shop.IsForgotten(ev.UserKey) {
			forgotten++
			continue
		}
		events = append(events, ev)
	}
	if len(problems) == 0 && len(events) > 0 {
		// One deleted through another instance or the command line since
		// this one's last poll: the database says so at once.
		users := make([]string, 0, len(events))
		seen := map[string]bool{}
		for _, ev := range events {
			if !seen[ev.UserKey] {
				seen[ev.UserKey] = true
				users = append(users, ev.UserKey)
			}
		}
		gone, err := s.db.ForgottenAmong(c.Request().Context(), users)
		if err != nil {
			return err
		}
		if len(gone) > 0 {
			kept := events[:0]
			for _, ev := range events {
				if gone[ev.UserKey] {
					forgotten++
					continue
				}
				kept = append(kept, ev)
			}
			events = kept
		}
	}
	if len(problems) > 0 {
		if len(problems) > 20 {
			problems = append(problems[:20], fmt.Sprintf("and %d more", len(problems)-20))
		}
		return c.JSON(http.StatusUnprocessableEntity, map[string]any{"error": "no events were stored", "problems": problems})
	}
	if len(events) > 0 {
		if key, ok := c.Get(ctxAPIKey).(*models.APIKey); ok {
			if ok, wait := s.apiEventLimit.allowN(key.ID, key.Name, len(events)); !ok {
				return s.apiEventLimit.refuse(c, wait)
			}
		}
		if err := s.events.Write(c.Request().Context(), events); err != nil {
			if errors.Is(err, models.ErrWriterClosed) {
				return echo.NewHTTPError(http.StatusServiceUnavailable, "shutting down; retry")
			}
			return err
		}
	}
	if forgotten > 0 {
		return c.JSON(http.StatusAccepted, map[string]any{"accepted": len(events), "forgotten": forgotten,
			"note": "events of customers deleted on request are not stored"})
	}
	return c.JSON(http.StatusAccepted, map[string]int{"accepted": len(events)})
}

// decodeAPIEvents reads the three accepted body shapes: {"events":[…]},
// a bare array, or a single event object.
func decodeAPIEvents(body []byte) ([]APIEvent, error) {
	if err := jsonText(body); err != nil {
		return nil, err
	}
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '[' {
		var events []APIEvent
		err := json.Unmarshal(body, &events)
		return events, err
	}
	var in struct {
		Events []APIEvent `json:"events"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	if in.Events == nil {
		var one APIEvent
		if json.Unmarshal(body, &one) == nil && one.Type != "" {
			return []APIEvent{one}, nil
		}
	}
	return in.Events, nil
}

// jsonText refuses a body whose strings would not be read as sent:
// encoding/json puts U+FFFD in place of bytes that are not UTF-8 and of
// an escaped half of a surrogate pair ("\ud800"), so a tracker sending
// Latin-1 ids had "Jos\xe9" and "Jos\xe8" stored as one customer,
// "Jos\ufffd", whom no request could name again. JSON is UTF-8 (RFC 8259).
func jsonText(body []byte) error {
	if !utf8.Valid(body) {
		at := 0
		for at < len(body) {
			r, size := utf8.DecodeRune(body[at:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			at += size
		}
		return fmt.Errorf("byte %d is not UTF-8 (send the body in UTF-8, as JSON is)", at)
	}
	for i := 0; i+6 <= len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		if body[i+1] != 'u' {
			i++ // an escaped character, perhaps a backslash
			continue
		}
		v, err := strconv.ParseUint(string(body[i+2:i+6]), 16, 16)
		if err != nil {
			continue
		}
		if utf16.IsSurrogate(rune(v)) {
			if v < 0xdc00 && i+12 <= len(body) && body[i+6] == '\\' && body[i+7] == 'u' {
				if lo, err := strconv.ParseUint(string(body[i+8:i+12]), 16, 16); err == nil && lo >= 0xdc00 && lo <= 0xdfff {
					i += 11 // a whole pair
					continue
				}
			}
			return fmt.Errorf("byte %d: %s is half of a surrogate pair, not a character", i, body[i:i+6])
		}
		i += 5
	}
	return nil
}

func apiEventToModel(cat *Catalog, e APIEvent) (models.Event, string) {
	ev := models.Event{UserKey: models.NormalID(strings.TrimSpace(e.UserID)), Type: e.Type, Value: e.Value, Slot: e.Slot, Query: e.Query}
	if ev.UserKey == "" || len(ev.UserKey) > 128 {
		return ev, "field user_id: required, at most 128 characters"
	}
	for _, f := range [...]struct{ name, v string }{{"user_id", ev.UserKey}, {"slot", ev.Slot}, {"query", ev.Query}} {
		if p := models.TextProblem(f.v); p != "" {
			return ev, "field " + f.name + ": " + p
		}
	}
	if strings.ContainsAny(ev.UserKey, "\r\n") {
		// As in an events file: recommend's users file names one
		// customer a line, so such a user could never be asked for.
		return ev, "field user_id: holds a line break (a users file names one customer per line)"
	}
	switch e.Type {
	case models.EventView, models.EventClick, models.EventAddToCart, models.EventPurchase:
		p, ok := cat.FindProduct(e.ProductID)
		if !ok {
			return ev, fmt.Sprintf("field product_id: unknown product %q", e.ProductID)
		}
		id := p.ID
		ev.ProductID = &id
	case models.EventSearch:
		if e.Query == "" {
			return ev, "field query: required for search events"
		}
	default:
		return ev, fmt.Sprintf("field type: %q is not one of view, click, add_to_cart, purchase, search", e.Type)
	}
	if len(ev.Slot) > 32 || len(ev.Query) > 200 {
		return ev, "field slot or query: too long"
	}
	if e.Value < 0 {
		return ev, fmt.Sprintf("field value: %v is negative; values are 0 or more", e.Value)
	}
	if e.Value > models.MaxEventValue || math.IsNaN(e.Value) || math.IsInf(e.Value, 0) {
		return ev, fmt.Sprintf("field value: %v is out of range: a rating, quantity or amount is at most %g", e.Value, float64(models.MaxEventValue))
	}
	at, problem := apiEventTime(e.Timestamp, time.Now())
	if problem != "" {
		return ev, problem
	}
	ev.CreatedAt = at
	return ev, ""
}

// apiEventTime reads an event's timestamp: RFC 3339 inside the window of
// models.CheckEventTime, or the clock when the tracker sent none.
func apiEventTime(raw string, now time.Time) (time.Time, string) {
	if raw == "" {
		return now.UTC(), ""
	}
	t, err := models.ParseRFC3339(raw)
	if err != nil {
		return time.Time{}, fmt.Sprintf("field timestamp: %q is not RFC 3339 (like 2026-03-01T12:00:00Z)", short(raw))
	}
	if err := models.CheckEventTime(t, now); err != nil {
		return time.Time{}, "field timestamp: " + err.Error()
	}
	return t.UTC(), ""
}

// short cuts a client's value for an error message.
func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
