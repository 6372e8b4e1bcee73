package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"
	"golang.org/x/net/publicsuffix"

	"storefront/models"
	"storefront/templates"
)

const (
	// visitorCookie is the visitor cookie's name over plain http; behind
	// TLS it is hostVisitorCookie (visitorCookieName).
	visitorCookie     = "sf_vid"
	hostVisitorCookie = "__Host-sf_vid"
	ctxVisitor        = "visitor"
	ctxUser           = "user"
)

// session keys
const (
	sessShopperID   = "shopper_id"
	sessShopperKey  = "shopper_key"
	sessShopperName = "shopper_name"
	sessStaffID     = "staff_id"
	sessStaffName   = "staff_name"
	sessStaffRole   = "staff_role"
	sessStaffPwGen  = "staff_pw_gen"
)

// User is who is making the request.
type User struct {
	VisitorID   string
	ShopperID   uint
	ShopperKey  string
	ShopperName string
	StaffID     uint
	StaffName   string
	StaffRole   string
	// Untracked marks a visitor minted over its address's budget of new
	// tracked visitors (visitorBudget): served, not recorded.
	Untracked bool
}

// Key is the id events and the cart are stored under.
func (u User) Key() string {
	if u.ShopperID != 0 {
		return u.ShopperKey
	}
	return "v:" + u.VisitorID
}

// LoggedIn reports whether a shopper is logged in.
func (u User) LoggedIn() bool { return u.ShopperID != 0 }

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// identify sets the visitor cookie and reads the shopper and staff from the
// session.
func (s *Server) identify(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		vid, tracked := "", true
		reissue, minted := false, false
		if ck, err := c.Cookie(s.visitorName); err == nil {
			vid, tracked = s.readVisitor(ck.Value)
			if vid == "" && !s.cfg.SecureCookies && legacyVisitorID(ck.Value) && s.holdsVisitor(c, ck.Value) {
				// Unsigned, so anyone can make one: it spends its
				// address's budget like a new visitor, and only a visitor
				// the shop has a history of is adopted (its id names no
				// network, so the training could not tell a crowd of
				// made-up ones from visitors from before).
				vid, reissue, minted = ck.Value, true, true
			}
		}
		if s.cfg.SecureCookies {
			if ck, err := c.Cookie(visitorCookie); err == nil {
				// Issued before the shop served behind TLS: taken once,
				// when the __Host- one is missing, if the shop signed it
				// under that name (one it issues under the __Host- name
				// does not check there, so a visitor id of the attacker's
				// own cannot be planted through the old name), and
				// reissued under the new name.
				expireCookie(c, visitorCookie)
				if vid == "" {
					if vid, tracked = s.readVisitorIn(ck.Value, plainVisitorScope); vid != "" {
						reissue = true
					}
				}
			}
		}
		if vid == "" {
			// The id carries its network's daily pseudonym, so a crowd
			// minted from one network is left out of training
			// (models.NewVisitorID, shop.dropCrowds).
			vid, reissue, minted = models.NewVisitorID(s.visitorKey, c.RealIP(), s.now()), true, true
		}
		switch {
		case minted:
			if tracked = s.newVisitors.allow(c.RealIP()); !tracked {
				s.newVisitors.refused(s.log)
			}
		case !tracked && s.newVisitors.allow(c.RealIP()):
			// Its address has room again: tracked from now on, same id.
			tracked, reissue = true, true
		}
		if reissue {
			// A new visitor, a cookie the shop did not issue (badly
			// signed, or naming another visitor's id: a fresh id of its
			// own), or one from before the signing (its id, signed).
			c.SetCookie(&http.Cookie{Name: s.visitorName, Value: s.visitorCookieValue(vid, tracked), Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
		}
		ctx := c.Request().Context()
		if err := s.checkIdle(c); err != nil {
			return err
		}
		u := User{VisitorID: vid, Untracked: !tracked}
		u.ShopperID = uint(s.sessions.GetInt(ctx, sessShopperID))
		if u.ShopperID != 0 {
			u.ShopperKey = s.sessions.GetString(ctx, sessShopperKey)
			u.ShopperName = s.sessions.GetString(ctx, sessShopperName)
			if s.shop.IsForgotten(u.ShopperKey) {
				// The account was deleted, on this device or another one
				// while a request was on its way: signed out, a visitor.
				if err := s.sessions.Destroy(ctx); err != nil {
					return err
				}
				u = User{VisitorID: vid, Untracked: !tracked}
			}
		}
		u.StaffID = uint(s.sessions.GetInt(ctx, sessStaffID))
		if u.StaffID != 0 {
			u.StaffName = s.sessions.GetString(ctx, sessStaffName)
			u.StaffRole = s.sessions.GetString(ctx, sessStaffRole)
		}
		if u.LoggedIn() {
			// What a signed-in shopper is shown is theirs (name, orders,
			// address, history, recommendations): no cache keeps it, so the
			// next person at a shared browser cannot page back to it after
			// logout, and no proxy keeps it whatever it makes of Vary.
			c.Response().Header().Set("Cache-Control", "no-store")
		}
		c.Set(ctxUser, u)
		return next(c)
	}
}

// sessSeen holds when a signed-in session was last marked active (unix s).
const sessSeen = "seen"

// checkIdle ends signed-in sessions that were idle too long, and marks
// active ones. scs's own IdleTimeout would rewrite the session on every
// request, a write per page view through the single writer; marking at
// most every idleTouch keeps page views read-only. A shopper whose account
// was deleted elsewhere is signed out at the next mark.
func (s *Server) checkIdle(c echo.Context) error {
	ctx := c.Request().Context()
	shopper, staff := s.sessions.GetInt(ctx, sessShopperID), s.sessions.GetInt(ctx, sessStaffID)
	if shopper == 0 && staff == 0 {
		return nil
	}
	now := s.now()
	seen := time.Unix(s.sessions.GetInt64(ctx, sessSeen), 0)
	switch idle := now.Sub(seen); {
	case idle > s.idleTimeout:
		return s.sessions.Destroy(ctx)
	case idle > s.idleTouch:
		if shopper != 0 {
			if _, err := s.db.ShopperByID(ctx, uint(shopper)); errors.Is(err, models.ErrNotFound) {
				return s.sessions.Destroy(ctx)
			}
		}
		s.sessions.Put(ctx, sessSeen, now.Unix())
	}
	return nil
}

// signVisitor is the visitor cookie's value for id: the id and its HMAC
// under the shop's key. Only ids the shop issued carry a valid one, so a
// cookie naming someone else's id (an imported shop's visitor ids are
// often guessable) is a new visitor, and never merged into an account at
// login.
func (s *Server) signVisitor(id string) string {
	var sig [visitorSigLen]byte
	return id + "." + string(s.visitorSig(sig[:0], id, ""))
}

// visitorSigLen is the length of a visitor id's signature: an HMAC-SHA256
// in unpadded base64url.
const visitorSigLen = (sha256.Size*8 + 5) / 6

// visitorMAC is an HMAC of the visitor key with a buffer for its input,
// kept in Server.visitorMACs: every page view checks the visitor's cookie,
// and a new HMAC per check cost its keying and five allocations.
type visitorMAC struct {
	h   hash.Hash
	buf []byte
	sum []byte
}

// The scopes a visitor cookie's signature covers: the cookie without the
// __Host- prefix (plain http, and behind TLS before the shop served there)
// and the one with it. A value the shop signed for one name does not check
// under the other.
const (
	plainVisitorScope = "visitor:"
	hostVisitorScope  = "host-visitor:"
)

// visitorCookieName is the visitor cookie's name with or without secure
// cookies, and the scope its signature covers. Behind TLS it carries the
// __Host- prefix: a page on a sibling subdomain cannot plant a visitor id
// of its own (whose cart and views the attacker would then read).
func visitorCookieName(secure bool) (name, scope string) {
	if secure {
		return hostVisitorCookie, hostVisitorScope
	}
	return visitorCookie, plainVisitorScope
}

// expireCookie tells the browser to drop a cookie the shop set behind TLS
// under a name it no longer uses.
func expireCookie(c echo.Context, name string) {
	c.SetCookie(&http.Cookie{Name: name, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: true})
}

// adoptOldSession takes, behind TLS, a session cookie under the name it had
// before the shop served there (sf_session, not __Host-sf_session) once,
// so the upgrade signs nobody out: when the request has no __Host- one and
// the session was signed in before the shop first served with secure
// cookies, its values move to a new session id (the old one is deleted)
// with the same absolute deadline, written under the new name; the old
// cookie is dropped in any case. A session signed in later was never
// issued under the old name, so such a cookie was planted (a page on a
// sibling subdomain signing the shopper into an account of the
// attacker's) and is ignored. It runs after the session is loaded.
func (s *Server) adoptOldSession(next echo.HandlerFunc) echo.HandlerFunc {
	if !s.cfg.SecureCookies {
		return next
	}
	return func(c echo.Context) error {
		old, err := c.Cookie(SessionCookie)
		if err != nil {
			return next(c)
		}
		expireCookie(c, SessionCookie)
		if _, err := c.Cookie(hostSessionCookie); err == nil {
			return next(c)
		}
		ctx := c.Request().Context()
		b, found, err := s.db.Sessions().FindCtx(ctx, old.Value)
		if err != nil {
			return err
		}
		if !found {
			return next(c)
		}
		deadline, values, err := s.sessions.Codec.Decode(b)
		if err != nil {
			return next(c)
		}
		_, shopper := values[sessShopperID]
		_, staff := values[sessStaffID]
		if signedIn := deadline.Add(-sessionLifetime); (shopper || staff) && signedIn.Before(s.hostCookiesSince) {
			if err := s.sessions.MergeSession(ctx, old.Value); err != nil {
				return err
			}
			s.sessions.SetDeadline(ctx, deadline)
		}
		return next(c)
	}
}

// visitorSig appends the signature of a visitor id followed by suffix to
// dst, under the scope of the shop's visitor cookie.
func (s *Server) visitorSig(dst []byte, id, suffix string) []byte {
	return s.visitorSigIn(dst, s.visitorScope, id, suffix)
}

// visitorSigIn is visitorSig under the given scope.
func (s *Server) visitorSigIn(dst []byte, scope, id, suffix string) []byte {
	m, _ := s.visitorMACs.Get().(*visitorMAC)
	if m == nil {
		m = &visitorMAC{h: hmac.New(sha256.New, s.visitorKey)}
	}
	m.h.Reset()
	m.buf = append(append(append(m.buf[:0], scope...), id...), suffix...)
	m.h.Write(m.buf)
	m.sum = m.h.Sum(m.sum[:0])
	dst = base64.RawURLEncoding.AppendEncode(dst, m.sum)
	s.visitorMACs.Put(m)
	return dst
}

// untrackedMark ends the cookie of a visitor whose behaviour is not
// recorded (visitorBudget); the mark is under the signature.
const untrackedMark = ".u"

// visitorCookieValue is the visitor cookie for id, marked when the visitor
// is not tracked.
func (s *Server) visitorCookieValue(id string, tracked bool) string {
	if tracked {
		return s.signVisitor(id)
	}
	return s.signVisitor(id+untrackedMark) + untrackedMark
}

// visitorOf returns the visitor id of a cookie value, or "" when the shop
// did not sign it.
func (s *Server) visitorOf(v string) string {
	id, _ := s.readVisitor(v)
	return id
}

// readVisitor returns the visitor id of a cookie value and whether the
// visitor is tracked, or "" when the shop did not sign it. The signatures
// are compared in place (sigEqual), without building the expected cookie.
func (s *Server) readVisitor(v string) (string, bool) {
	return s.readVisitorIn(v, s.visitorScope)
}

// readVisitorIn is readVisitor under the given scope.
func (s *Server) readVisitorIn(v, scope string) (string, bool) {
	id, rest, ok := strings.Cut(v, ".")
	if !ok || !validVisitorID(id) {
		return "", false
	}
	if s.sigEqual(rest, scope, id, "") {
		return id, true
	}
	// An untracked visitor's cookie: id.u.SIG.u, SIG signing "id.u".
	u := untrackedMark[1:] + "."
	if len(rest) == len(u)+visitorSigLen+len(untrackedMark) && strings.HasPrefix(rest, u) && strings.HasSuffix(rest, untrackedMark) &&
		s.sigEqual(rest[len(u):len(u)+visitorSigLen], scope, id, untrackedMark) {
		return id, false
	}
	return "", false
}

// sigEqual reports, in constant time, whether sig is the signature of the
// visitor id followed by suffix, under scope.
func (s *Server) sigEqual(sig, scope, id, suffix string) bool {
	if len(sig) != visitorSigLen {
		return false
	}
	var got, want [visitorSigLen]byte
	copy(got[:], sig)
	return hmac.Equal(got[:], s.visitorSigIn(want[:0], scope, id, suffix))
}

// visitorIDBytes is the randomness of the visitor ids the shop issued
// before they carried their network's pseudonym (models.NewVisitorID).
const visitorIDBytes = 12

// holdsVisitor reports whether the shop holds a history (events or a cart)
// of the unsigned visitor id from before the signing; when the database
// cannot say, the visitor is a new one.
func (s *Server) holdsVisitor(c echo.Context, id string) bool {
	held, err := s.db.HoldsVisitor(c.Request().Context(), id)
	if err != nil {
		s.log.Warn("visitor cookie from before the signing not adopted", "err", err)
	}
	return held
}

// legacyVisitorID reports whether an unsigned cookie value has the form of
// the ids the shop issued before its cookies were signed: exactly the
// length of randomToken(visitorIDBytes). Those the shop holds a cart or
// history of keep it across the upgrade (holdsVisitor); an unsigned id of
// any other form (an imported shop's "v:000042") is never adopted.
func legacyVisitorID(v string) bool {
	return len(v) == base64.RawURLEncoding.EncodedLen(visitorIDBytes) && !strings.Contains(v, ".") && validVisitorID(v)
}

func validVisitorID(v string) bool {
	if len(v) < 8 || len(v) > 64 {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func userOf(c echo.Context) User {
	u, _ := c.Get(ctxUser).(User)
	return u
}

// imageSources is the CSP img-src list: this site, data: URLs and the
// hosts of imported product images, so an import's image_url shows.
func imageSources(cat *Catalog) string {
	src := "'self' data:"
	if cat != nil {
		for _, o := range compactOrigins(cat.ImageOrigins, maxImageSources) {
			src += " " + o
		}
	}
	return src
}

// maxImageSources bounds what the catalog's image hosts add to the
// Content-Security-Policy header of every answer. A catalog whose images
// sit on thousands of hosts (a marketplace's sellers, each on a subdomain
// of its image service) wrote them all: a header of 450 kB that Chromium
// refuses (ERR_RESPONSE_HEADERS_TOO_BIG), and past about 4 kB nginx's
// default proxy_buffer_size answers 502, so no page of the shop loaded.
const maxImageSources = 1024

// compactOrigins lists the image origins within budget bytes: as they are
// when they fit; else each site once ("https://cdn.example" and
// "https://*.cdn.example" for its subdomains, the site being the domain
// under the public suffix, so one bucket of a shared host such as
// s3.amazonaws.com does not stand for the others); else by scheme alone
// ("https:").
func compactOrigins(origins []string, budget int) []string {
	if joinedLen(origins) <= budget {
		return origins
	}
	var sites, schemes []string
	for _, o := range origins {
		u, err := url.Parse(o)
		if err != nil {
			continue
		}
		if scheme := u.Scheme + ":"; !slices.Contains(schemes, scheme) {
			schemes = append(schemes, scheme)
		}
		host, port := u.Hostname(), u.Port()
		site, err := publicsuffix.EffectiveTLDPlusOne(host)
		if err != nil || net.ParseIP(host) != nil {
			sites = append(sites, o) // an address, or a name without a domain
			continue
		}
		if port != "" {
			port = ":" + port
		}
		sites = append(sites, u.Scheme+"://"+site+port)
		if host != site {
			sites = append(sites, u.Scheme+"://*."+site+port)
		}
	}
	slices.Sort(sites)
	sites = slices.Compact(sites)
	if joinedLen(sites) <= budget {
		return sites
	}
	slices.Sort(schemes)
	return schemes
}

// joinedLen is the length of list joined by single spaces.
func joinedLen(list []string) int {
	n := 0
	for _, s := range list {
		n += len(s) + 1
	}
	return n
}

// catalogDerived is what every request shows of one catalog snapshot.
type catalogDerived struct {
	cat *Catalog
	csp string
	nav []templates.NavCategory // shared: never appended to or changed
}

// catalogDerived returns the content security policy and navigation of the
// current catalog snapshot, made once per snapshot.
func (s *Server) catalogDerived() *catalogDerived {
	var cat *Catalog
	if s.shop != nil {
		cat = s.shop.Catalog()
	}
	if d := s.perCatalog.Load(); d != nil && d.cat == cat {
		return d
	}
	d := &catalogDerived{cat: cat, csp: "default-src 'self'; img-src " + imageSources(cat) + "; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"}
	if cat != nil {
		d.nav = nav(cat)
	}
	s.perCatalog.Store(d)
	return d
}

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", s.catalogDerived().csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		if s.cfg.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		} else if s.overHTTPS(c.Request()) {
			s.insecureCookiesOverTLS.Do(func() {
				s.log.Warn("the shop is reached over https but serves without --secure-cookies: its cookies lack Secure " +
					"and the __Host- prefix (a sibling subdomain can plant them); start serve with --secure-cookies")
			})
		}
		return next(c)
	}
}

// overHTTPS reports whether a request reached the shop over TLS: its own,
// or a trusted proxy's that says so (X-Forwarded-Proto: https). The header
// from anyone else is ignored.
func (s *Server) overHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !strings.EqualFold(r.Header.Get(echo.HeaderXForwardedProto), "https") || len(s.cfg.TrustedProxies) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	for _, n := range s.cfg.TrustedProxies {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// csrfNotInQuery refuses a state-changing request whose CSRF token is in
// the address: Echo's "form:" lookup reads the query string too, and a
// token in a URL leaks through logs, history and the Referer header.
func csrfNotInQuery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if c.Request().URL.Query().Has("_csrf") {
				return echo.NewHTTPError(http.StatusForbidden, "the form's security token must be sent in the form, not in the address")
			}
		}
		return next(c)
	}
}

// textOnly refuses a request whose address parameters or submitted form
// (URL-encoded) hold something that is not text: a NUL character or bytes
// that are not UTF-8. PostgreSQL refuses them in a text column and fails
// the whole statement, so a name with a NUL was a 500, and a search for
// "x%00" failed the batch of page views it was written with (every other
// visitor's events of that moment lost). The answer names the field.
func textOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if err := textValues("address parameter", r.URL.Query()); err != nil {
			return err
		}
		ct := strings.ToLower(r.Header.Get(echo.HeaderContentType))
		if r.Method == http.MethodPost && strings.HasPrefix(ct, echo.MIMEApplicationForm) {
			if _, err := c.FormParams(); err != nil {
				return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
			}
			if err := textValues("form field", r.PostForm); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// textValues returns a 400 naming the first name or value that is not text.
func textValues(what string, vals url.Values) error {
	for k, vs := range vals {
		if p := models.TextProblem(k); p != "" {
			return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("A %s name %s.", what, p))
		}
		for _, v := range vs {
			if p := models.TextProblem(v); p != "" {
				return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("The %s %q %s.", what, k, p))
			}
		}
	}
	return nil
}

// requireShopper redirects anonymous visitors to the login page.
func requireShopper(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !userOf(c).LoggedIn() {
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(safeNext(c.Request().URL.RequestURI())))
		}
		return next(c)
	}
}

// safeNext keeps only paths on this site, so a login link cannot redirect
// elsewhere; anything else becomes "/".
func safeNext(next string) string {
	if localPath(next) {
		return next
	}
	return "/"
}

// localPath reports whether p is a path on this site and cannot be read as
// anything else. Browsers drop tabs and newlines from a URL and treat a
// backslash as a slash, so "/\t/evil.example" or "/\\evil.example" would
// lead off the site: control characters and backslashes are refused
// anywhere, raw or percent-encoded, and what net/url parses must have no
// scheme, host or user and a path starting with exactly one slash.
func localPath(p string) bool {
	if p == "" || p[0] != '/' || len(p) > 2048 || hasControlOrBackslash(p) {
		return false
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	return strings.HasPrefix(u.Path, "/") && !strings.HasPrefix(u.Path, "//") && !hasControlOrBackslash(u.Path)
}

func hasControlOrBackslash(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r == '\\' || unicode.IsControl(r) })
}

// base fills the layout view model.
func (s *Server) base(c echo.Context, title string) templates.Base {
	u := userOf(c)
	b := templates.Base{Title: title, ShopperName: u.ShopperName, StaffName: u.StaffName, StaffRole: u.StaffRole,
		Path: c.Request().URL.Path}
	if tok, ok := c.Get("csrf").(string); ok {
		b.CSRF = tok
	}
	b.Nav = s.catalogDerived().nav
	if u.VisitorID == "" {
		// Outside the session middleware (assets, health): nothing more to show.
		return b
	}
	b.CartCount = s.cartCount(c.Request().Context(), u.Key())
	ctx := c.Request().Context()
	if b.Flash = s.sessions.PopString(ctx, "flash"); b.Flash != "" && len(s.sessions.Keys(ctx)) == 0 {
		// A visitor's session held only this message: shown, it is
		// deleted rather than kept empty.
		if err := s.sessions.Destroy(ctx); err != nil {
			s.log.Warn("ending a message-only session failed", "err", err)
		}
	}
	return b
}

// messageSessionLifetime is how long a session that holds only a message
// lasts (a visitor who is not signed in adding to the cart, say): long
// enough to be shown after the redirect, not the 14 days of a sign-in. A
// script posting forms under fresh cookies made a stored session each
// time, kept for two weeks (and then, until the daily housekeeping
// deleted expired ones, for good); every password change and account
// deletion reads every live session.
const messageSessionLifetime = time.Hour

// flash keeps a message for the next page.
func (s *Server) flash(c echo.Context, msg string) {
	ctx := c.Request().Context()
	s.sessions.Put(ctx, "flash", msg)
	if len(s.sessions.Keys(ctx)) == 1 {
		if d := time.Now().Add(messageSessionLifetime).UTC(); d.Before(s.sessions.Deadline(ctx)) {
			s.sessions.SetDeadline(ctx, d)
		}
	}
}

// track queues behaviour events without making the page wait, within the
// budget of the client's address and of the viewer (eventBudget). The
// viewer's cached state is dropped now and again when the event commits, so
// their next page shows it.
func (s *Server) track(c echo.Context, typ string, productID uint, slot string, pos int, query string) {
	if !tracks(c) {
		return
	}
	u := userOf(c)
	if !s.eventBudget.allow(c.RealIP(), u.Key()) {
		s.eventBudget.refused(s.log)
		return
	}
	e := eventFor(u.Key(), typ, productID, slot, pos, query)
	e.Arm = s.shop.Assign(c.Request().Context(), u.VisitorID).Label
	if err := s.events.Track(e); err != nil {
		s.log.Warn("event not queued", "type", typ, "err", err)
	}
	s.viewers.behaved(e.UserKey, typ == models.EventPurchase)
}

// cartCountLife is how long a viewer's cart size is used before it is read
// again. A cart change through this instance drops it at once; one
// through another instance (a load balancer's next pick), which only that
// instance hears of, shows in the header here within this, where it was
// the viewer state's life (10 minutes without an event of theirs).
const cartCountLife = 2 * time.Second

// cartCount is the viewer's cart size, read at most once per cartCountLife
// per viewer state (cart changes drop it).
func (s *Server) cartCount(ctx context.Context, key string) int {
	st := s.viewers.get(key)
	now := s.now()
	st.mu.Lock()
	n, ok := st.cart, st.cartOK && now.Sub(st.cartAt) < cartCountLife && !now.Before(st.cartAt)
	st.mu.Unlock()
	if ok {
		return n
	}
	n, err := s.db.CartCount(ctx, key)
	if err != nil {
		return 0
	}
	st.mu.Lock()
	if !st.removed {
		st.cart, st.cartOK, st.cartAt = n, true, now
	}
	st.mu.Unlock()
	return n
}

func eventFor(userKey, typ string, productID uint, slot string, pos int, query string) models.Event {
	e := models.Event{UserKey: userKey, Type: typ, Slot: slot, Position: pos, Query: query, CreatedAt: time.Now().UTC()}
	if productID != 0 {
		id := productID
		e.ProductID = &id
	}
	return e
}

// bigBody is an upload route's limit and the staff roles the route is
// open to (the roles its requireStaff names in routes).
type bigBody struct {
	limit int64
	roles []string
	// busy, when set, makes the route take one upload at a time on an
	// instance: another sent meanwhile is answered 409 with busy, unread.
	// An import's plan holds its whole catalog in memory (about 150 MB
	// for a 60 MiB file) and a picture's conversion up to 650 MB (40
	// megapixels at 16 bits a channel), so uploads read at once were
	// limited only by the staff member's 256 connections.
	busy string
}

// bigBodies are the routes whose bodies may be larger than the site's
// 2 MB (catalog files, product pictures), with their limits and roles.
var bigBodies = map[string]bigBody{
	"/admin/import": {maxImportUpload, adminRole,
		"Another import is being uploaded and checked. Wait for its preview, then upload again."},
	"/admin/catalog/:id/image": {maxImageRequest, everyStaffRole,
		"Another picture is being uploaded and converted. Wait a moment, then upload again."},
}

// everyStaffRole and adminRole are who the staff routes are open to: every
// staff member, and admins alone (imports, settings, staff, API keys).
var (
	everyStaffRole = []string{models.RoleMerchandiser, models.RoleAdmin}
	adminRole      = []string{models.RoleAdmin}
)

// bigBodiesFromStaffOnly reads a large upload only from a staff session,
// and never more than its route's limit. It runs before the CSRF check,
// which reads the whole form to find the token: without it, anyone's POST
// to an upload route was read in full, whatever its size (the site's 2 MB
// limit skips these routes, and their own limits ran after the CSRF
// check), into temporary files on the server's disk.
//
// An upload may take longer than a page: a page request has 15 s to
// arrive and 20 s to be answered (httpServer, ContextTimeout), and a staff
// member's 64 MiB catalog over an ordinary uplink takes minutes, so it was
// cut off; an upload gets deadlines.upload for all of it.
//
// Whether the session's staff member may use the route at all is decided
// first, as the route's own requireStaff decides it (an active account,
// the password it signed in with, a role the route is open to), without
// reading the body: a merchandiser's upload to the admins' import was read
// in full before its 403 (64 MiB each, about 40 MB of the server's memory
// while it was parsed: 24 at once took the server from 223 to 1,157 MiB),
// and so was one of a session whose password was since reset.
func (s *Server) bigBodiesFromStaffOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !isBigUpload(c) {
			return next(c)
		}
		big := bigBodies[c.Path()]
		return s.requireStaff(big.roles...)(func(c echo.Context) error {
			if big.busy == "" {
				return s.readUpload(c, big.limit, next)
			}
			// The upload deadline first: the wait for the turn counts
			// against it, not against the read deadline of an ordinary
			// request.
			return s.readUpload(c, big.limit, func(c echo.Context) error {
				return s.uploadTurn(c, big.busy, next)
			})
		})(c)
	}
}

// defaultUploadWait is how long an upload waits for another's turn on its
// route before it is refused: two staff members adding pictures at the
// same moment both get theirs, one after the other.
const defaultUploadWait = 30 * time.Second

// uploadTurn runs next in the route's turn (one upload read at a time on
// an instance), waiting for it at most s.uploadWait; past that the upload
// is answered 409 with busy, its body unread.
func (s *Server) uploadTurn(c echo.Context, busy string, next echo.HandlerFunc) error {
	turn := s.uploadTurns[c.Path()]
	wait := time.NewTimer(s.uploadWait)
	defer wait.Stop()
	select {
	case turn <- struct{}{}:
	case <-wait.C:
		c.Response().Header().Set("Retry-After", "10")
		return echo.NewHTTPError(http.StatusConflict, busy)
	case <-c.Request().Context().Done():
		return echo.NewHTTPError(http.StatusServiceUnavailable, busy)
	}
	defer func() { <-turn }()
	return next(c)
}

// readUpload lets next read an upload of at most limit bytes, with the
// upload's deadlines.
func (s *Server) readUpload(c echo.Context, limit int64, next echo.HandlerFunc) error {
	r := c.Request()
	if r.ContentLength > limit {
		return echo.ErrStatusRequestEntityTooLarge
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
	deadline := time.Now().Add(s.deadlines.upload)
	rc := http.NewResponseController(c.Response())
	// ErrNotSupported: no connection under the request (a handler
	// called directly), so no connection deadline to move either.
	if err := errors.Join(rc.SetReadDeadline(deadline), rc.SetWriteDeadline(deadline)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("web: upload deadline: %w", err)
	}
	ctx, cancel := context.WithDeadline(r.Context(), deadline)
	defer cancel()
	c.SetRequest(r.WithContext(ctx))
	return next(c)
}

// isBigUpload reports whether the request is a POST to an upload route
// (bigBodies), whose deadlines bigBodiesFromStaffOnly sets.
func isBigUpload(c echo.Context) bool {
	_, big := bigBodies[c.Path()]
	return big && c.Request().Method == http.MethodPost
}

// removeMultipartFiles deletes the temporary files a multipart form was
// spooled to (parts over 32 MB in memory) when the request ends. net/http
// deletes those of the request it passed in only, and the form is parsed
// on a copy (middleware gives the request a new context), so every large
// upload left its file on the disk for good.
func removeMultipartFiles(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		defer func() {
			if f := c.Request().MultipartForm; f != nil {
				_ = f.RemoveAll()
			}
		}()
		return next(c)
	}
}
