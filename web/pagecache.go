package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/recommender"
	"storefront/shop"
	"storefront/templates"
)

// Pages are composed once and served many times. What a page shows depends
// on the shop's shared state (layout, catalog snapshot, model: shop.Versions)
// and, for a personalized homepage, on one viewer's history. Every cached
// page carries the versions it was built from and is used only while they
// are current, so a publish, a retrain or a catalog change (a stock-out
// included) is seen by the next request whoever caused it; a page is used
// on a later catalog snapshot only when that snapshot changed nothing the
// page shows (shop.Shown: an order recomposes the pages of what it sold,
// and the buyer's, not every page). A viewer's own
// state (history, opt-out, cart count, composed homepage) is dropped by
// userChanged whenever their events, cart or account change.
//
// The caches are per process. On several instances a change made through
// another instance reaches this one's versions within the catalog poll (2 s
// on PostgreSQL) or layout TTL (5 s), and a change to a shopper's account
// (an opt-out) drops their state here within the same poll
// (shop.Options.AccountsChanged); a shopper's new event reaches the
// instance that took it when its event writer commits (eventsWritten), and
// every other instance at its next poll (shop.Options.EventsRecorded,
// actedElsewhere).

const (
	// personalTTL bounds how long a viewer's cached state and homepage are
	// used without an event of theirs (changes through other instances,
	// slot engagement drifting).
	personalTTL = 10 * time.Minute
	// viewerShards spreads the viewer map over independent locks.
	viewerShards = 64
	// maxViewers bounds the viewers kept; beyond it arbitrary ones are
	// dropped (their next page reads their history again).
	maxViewers = 100_000
	// personalBodyBytes bounds the memory of rendered personal homepages;
	// above it a viewer's composed rows are still kept and rendered per view.
	personalBodyBytes = 48 << 20
	// sharedBodyBytes bounds rendered product, category and search bodies.
	sharedBodyBytes = 64 << 20
)

// pageVersion is what a cached page was built from: the shop's versions and
// the shop settings (currency, time zone, names) its templates showed.
type pageVersion struct {
	shop.Versions
	settings uint64
}

// keptVersion is a pageVersion as a cached page keeps it: the catalog
// snapshot by its serial number, not the snapshot. A page served across
// orders outlives many snapshots, and each page holding the one it was
// built from kept them all alive: their product maps and lists, often a
// full build of every product (~80 MB of the small demo world's heap
// after a load run with orders).
//
// The model likewise, by a weak pointer: a page cached from a model kept it
// alive after a retrain for as long as the page was (a viewer's homepage ten
// minutes, a body no one asked for again for good), two models in memory;
// a weak pointer still tells the model apart and lets the old one go.
type keptVersion struct {
	pageVersion                                 // with no catalog snapshot and no model
	catalog     uint64                          // the snapshot's serial (shop.Catalog.Serial)
	model       weak.Pointer[recommender.Model] // the model's
}

// kept is v as a cached page keeps it.
func (v pageVersion) kept() keptVersion {
	k := keptVersion{pageVersion: v, catalog: v.Catalog.Serial(), model: weak.Make(v.Model)}
	k.Catalog, k.Model = nil, nil
	return k
}

// sameShared reports whether k is of the same layout, model and settings
// as a, whatever their catalog snapshots.
func (k keptVersion) sameShared(a keptVersion) bool {
	return k.pageVersion == a.pageVersion && k.model == a.model
}

// pageVersion returns the versions a page for this request is built from.
// Read it before the inputs, so a page is never filed under versions newer
// than what it shows.
func (s *Server) pageVersion(c echo.Context) pageVersion {
	gen, _ := c.Get(ctxSettingsGen).(uint64)
	return pageVersion{Versions: s.shop.Versions(), settings: gen}
}

// body is a rendered page body, split where the per-request CSRF token goes
// and kept compressed (see gzbody.go).
type body struct {
	parts []bodyPart
	// plain is the compressed layout around the body for visitors without
	// a state of their own (see plainLayout), filled at the first such view.
	plain *atomic.Pointer[plainLayout]
	// shopper is the compressed layout around the body for signed-in
	// shoppers (see shopperLayout), filled at the first such view.
	shopper *atomic.Pointer[shopperLayout]
	// related is the products (external IDs) a product page's rows show,
	// which a viewer who bought one of them is not served this body for.
	related []string
}

// csrfMark stands for the CSRF token while a body is rendered for the cache;
// it survives HTML escaping unchanged. It starts with a byte pages rarely
// hold, so finding it (newBody) skips through a body at memchr speed: with
// an initial "c", every "class" was a candidate to compare. It is drawn at
// random when the shop starts: text a supplier or a merchandiser wrote
// cannot hold it, so no viewer's token is written where they put it (an
// image address on their own host learnt every viewer's token when the
// mark was a constant anyone could read in the source).
var csrfMark = randomMark("csrf")

// randomMark is a placeholder no page holds by chance or by design:
// "~", what it stands for and 128 random bits in hex, and "~".
func randomMark(what string) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("web: no randomness for a page placeholder: " + err.Error())
	}
	return "~" + what + "-" + hex.EncodeToString(b) + "~"
}

// plainLayoutReserve is what a body's kept layouts (a visitor's and a
// shopper's) are counted as from the start (a product page's own <head> is
// ~0.5 KB, kept once for each; the header and footer are shared), so that a
// body's size does not change while it is cached.
const plainLayoutReserve = 2048

// size is the memory a body holds.
func (b body) size() int {
	n := plainLayoutReserve
	for i := range b.parts {
		n += len(b.parts[i].z) + 48 // the piece's slice header and figures
	}
	for _, id := range b.related {
		n += len(id) + 16
	}
	return n
}

// renderBody renders a component for the cache.
func renderBody(ctx context.Context, t templ.Component) (body, error) {
	buf := templ.GetBuffer()
	defer templ.ReleaseBuffer(buf)
	if err := t.Render(ctx, buf); err != nil {
		return body{}, err
	}
	return newBody(buf.Bytes()), nil
}

// shownSlot is one impression row a homepage view records.
type shownSlot struct {
	slot     string
	position int
	cards    int
	creative int // the creative a banner showed (0 for other rows)
}

// homeEntry is a composed and rendered homepage.
type homeEntry struct {
	ver     keptVersion
	arm     string // the experiment arm or control group it was composed for
	expires time.Time
	body    body // no parts when over the memory budget: vm is rendered per view
	vm      templates.HomePage
	shown   []shownSlot
	// read is the page's cards in reading order, as much of them as
	// skippedAbove needs: what a viewer's state keeps of the page they
	// were last given (the composed rows, titles, prices and addresses of
	// 60 cards, were ~20 KB a viewer and kept for every viewer).
	read []readCard
	// holds is what the page shows of the catalog snapshot of ver: on a
	// later snapshot of its run that changed the stock of other products
	// alone (an order), the page is still right (nil: on ver's alone).
	holds *shop.Shown
	size  int
}

// readCard is a card of a homepage as skippedAbove reads it: the product
// (its ID and external ID) and the row (slot reference) it was shown in.
type readCard struct {
	id   uint
	ext  string
	slot string
}

// readingOrder lists a page's cards row by row, each row from its start.
func readingOrder(slots []templates.HomeSlot) []readCard {
	n := 0
	for _, sl := range slots {
		n += len(sl.Cards)
	}
	out := make([]readCard, 0, n)
	for _, sl := range slots {
		for _, cd := range sl.Cards {
			out = append(out, readCard{id: cd.ID, ext: cd.ExternalID, slot: cd.Slot})
		}
	}
	return out
}

func (e *homeEntry) valid(ver pageVersion, now time.Time) bool {
	return e != nil && now.Before(e.expires) && e.on(ver)
}

// on reports whether the page is right on these versions: those it was
// composed from, or a later catalog snapshot that changed nothing it
// shows (another shopper's order).
func (e *homeEntry) on(ver pageVersion) bool {
	k := ver.kept()
	if !e.ver.sameShared(k) { // the layout, the model or the settings changed
		return false
	}
	return e.ver.catalog == k.catalog || e.holds != nil && ver.Catalog != nil && ver.Catalog.Still(e.holds)
}

// viewerState is what the shop knows about one viewer between their events.
type viewerState struct {
	mu        sync.Mutex
	born      time.Time
	account   Viewer // what the shopper's account says: opt-out, edited history, hidden interests
	accountOK bool
	cart      int
	cartOK    bool
	cartAt    time.Time // when cart was read (cartCountLife)
	hist      shop.History
	histOK    bool
	histModel weak.Pointer[recommender.Model] // history is read as much as this model needs (weak: see keptVersion)
	// bought is what the viewer bought (external IDs) as product pages
	// read it (boughtBy); unlike hist it outlives their views and clicks,
	// and goes with a purchase.
	bought   []string
	boughtOK bool
	home     *homeEntry
	// turns counts the homepages a viewer without history was shown since
	// their last event (see strangerHome).
	turns int
	// lastPage is the cards of the homepage the viewer was last given
	// (theirs or the strangers' shared one) in reading order (the entry's
	// read, shared with it; not the entry, whose rendered body the body
	// budget may let go), and passed the products they passed over on the
	// homepages of this visit before opening one (see skippedAbove): their
	// next pages put them last.
	lastPage []readCard
	passed   []string
	removed  bool // dropped from the map: nothing may be stored here any more
}

// maxPassed bounds the passed-over products a viewer's state keeps (the
// latest).
const maxPassed = 64

// maxTurns is how many homepages in a row a viewer without history is
// shown other products on: the third and later are the third again.
const maxTurns = 3

type viewerShard struct {
	mu sync.Mutex
	m  map[string]*viewerState
}

// viewerCache maps user keys to their state.
type viewerCache struct {
	seed      maphash.Seed
	shards    [viewerShards]viewerShard
	n         atomic.Int64
	bodyBytes atomic.Int64
}

func newViewerCache() *viewerCache {
	c := &viewerCache{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = map[string]*viewerState{}
	}
	return c
}

func (c *viewerCache) shard(key string) *viewerShard {
	return &c.shards[maphash.String(c.seed, key)%viewerShards]
}

// get returns the viewer's state, a fresh one when none is cached or the
// cached one is older than personalTTL.
func (c *viewerCache) get(key string) *viewerState {
	sh := c.shard(key)
	now := time.Now()
	sh.mu.Lock()
	st := sh.m[key]
	if st != nil && now.Sub(st.born) < personalTTL {
		sh.mu.Unlock()
		return st
	}
	if st != nil {
		c.retire(st)
	} else {
		c.n.Add(1)
	}
	st = &viewerState{born: now}
	sh.m[key] = st
	over := c.n.Load() > maxViewers
	sh.mu.Unlock()
	if over {
		c.evict(sh)
	}
	return st
}

// drop forgets a viewer's state; a page being composed for them keeps
// nothing it read before.
func (c *viewerCache) drop(key string) {
	sh := c.shard(key)
	sh.mu.Lock()
	if st, ok := sh.m[key]; ok {
		delete(sh.m, key)
		c.n.Add(-1)
		c.retire(st)
	}
	sh.mu.Unlock()
}

// behaved forgets what a viewer's behaviour decides (history, composed
// homepage) and keeps what only their cart or account changes (cart count,
// opt-out, hidden interests) and what they were shown (the homepage they
// were last given, the cards they passed over): a product view costs no
// cart query on the next page, and a click on the page they are reading
// still tells what they passed over. What they bought is kept too unless
// purchased says the behaviour holds a purchase. The old state is retired
// like in drop, so a page being composed from the history it held is not
// kept.
func (c *viewerCache) behaved(key string, purchased bool) {
	sh := c.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	st, ok := sh.m[key]
	if !ok {
		return
	}
	st.mu.Lock()
	next := &viewerState{born: st.born, account: st.account, accountOK: st.accountOK, cart: st.cart, cartOK: st.cartOK,
		cartAt: st.cartAt, lastPage: st.lastPage, passed: st.passed}
	if !purchased {
		next.bought, next.boughtOK = st.bought, st.boughtOK
	}
	st.mu.Unlock()
	c.retire(st)
	sh.m[key] = next
}

// retire marks a state removed and returns its body memory.
func (c *viewerCache) retire(st *viewerState) {
	st.mu.Lock()
	st.removed = true
	if st.home != nil {
		c.bodyBytes.Add(-int64(st.home.size))
		st.home = nil
	}
	st.mu.Unlock()
}

// evict drops about a tenth of one shard's viewers (map order is random).
func (c *viewerCache) evict(sh *viewerShard) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	n := len(sh.m)/10 + 1
	for k, st := range sh.m {
		if n == 0 {
			break
		}
		delete(sh.m, k)
		c.n.Add(-1)
		c.retire(st)
		n--
	}
}

// setHome stores a composed homepage unless the viewer changed meanwhile.
func (c *viewerCache) setHome(st *viewerState, e *homeEntry) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.removed {
		return
	}
	if st.home != nil {
		c.bodyBytes.Add(-int64(st.home.size))
	}
	if e.size > 0 && c.bodyBytes.Load()+int64(e.size) > personalBodyBytes {
		e = &homeEntry{ver: e.ver, arm: e.arm, expires: e.expires, vm: e.vm, shown: e.shown, read: e.read, holds: e.holds}
	} else {
		cp := *e
		cp.vm = templates.HomePage{} // the body says it all
		e = &cp
	}
	c.bodyBytes.Add(int64(e.size))
	st.home = e
}

// userChanged drops what is cached about a viewer: call it after any write
// to their cart or account (behaviour alone: viewerCache.behaved).
func (s *Server) userChanged(keys ...string) {
	for _, k := range keys {
		if k != "" {
			s.viewers.drop(k)
		}
	}
}

// eventsWritten is the event writer's commit hook: behaviour (not
// impressions) changes what the shopper's next page shows.
func (s *Server) eventsWritten(events []models.Event) {
	for i := 0; i < len(events); {
		key, behaved, purchased := events[i].UserKey, false, false
		for ; i < len(events) && events[i].UserKey == key; i++ {
			behaved = behaved || events[i].Type != models.EventImpression
			purchased = purchased || events[i].Type == models.EventPurchase
		}
		if behaved {
			s.viewers.behaved(key, purchased)
		}
	}
}

// actedElsewhere is told, every poll, the viewers with behaviour written
// since the last (shop.Options.EventsRecorded), through another instance
// or this one: like eventsWritten, their history and composed homepage
// are dropped, so a shopper whose views a load balancer sent to another
// instance gets a homepage following them here within a poll.
func (s *Server) actedElsewhere(keys []string, purchased map[string]bool) {
	for _, k := range keys {
		s.viewers.behaved(k, purchased[k])
	}
}

// sharedKey names a homepage that is the same for many viewers: those with
// no history yet, and those who opted out of personalization.
type sharedKey struct {
	ver      keptVersion // without the catalog snapshot's serial: the entry's on decides that
	minute   int64       // exploration of slot order and trending move every minute
	loggedIn bool
	optOut   bool
	arm      string // control group and experiment arms see their own page
	// turn is how many homepages the viewer was shown before this one
	// since their last event, up to maxTurns-1: a later turn puts the
	// earlier turns' products last.
	turn int
}

// sharedHomes holds the homepages shared by viewers without personal rows.
type sharedHomes struct {
	mu sync.Mutex
	m  map[sharedKey]*homeEntry
}

func (h *sharedHomes) get(k sharedKey) *homeEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m[k]
}

func (h *sharedHomes) put(k sharedKey, e *homeEntry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil {
		h.m = map[sharedKey]*homeEntry{}
	}
	for old := range h.m {
		if old.ver != k.ver || old.minute != k.minute {
			delete(h.m, old)
		}
	}
	h.m[k] = e
}

// bodyEntry is a rendered product, category or search body.
type bodyEntry struct {
	ver  keptVersion
	body body
	// shown is what the body shows of the catalog snapshot of ver: a
	// later snapshot of the same run serves it while none of that changed
	// (an order drops the pages of what it sold, not every page).
	shown *shop.Shown
}

// bodyCache holds rendered bodies of pages that are the same for every
// viewer, keyed by page and query, bounded in bytes. It is split into
// shards by key, each with its own lock and an equal part of the budget:
// every product, category and search view reads it, and under one lock
// the 32 connections of a load run queued behind each other (the lock was
// most of a product phase's contention: 3.9 s of waiting in 7 s, whoever
// held it being preempted on a loaded machine kept all the others out).
type bodyCache struct {
	once   sync.Once
	seed   maphash.Seed
	shards [bodyShards]bodyShard
}

// bodyShards is how many parts the bodies' cache is split into.
const bodyShards = 32

type bodyShard struct {
	mu    sync.Mutex
	m     map[string]*bodyEntry
	bytes int
}

func (b *bodyCache) shard(key string) *bodyShard {
	b.once.Do(func() { b.seed = maphash.MakeSeed() })
	return &b.shards[maphash.String(b.seed, key)%bodyShards]
}

// entry is the entry kept under key, or nil.
func (b *bodyCache) entry(key string) *bodyEntry {
	sh := b.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.m[key]
}

// clear forgets every body.
func (b *bodyCache) clear() {
	for i := range b.shards {
		sh := &b.shards[i]
		sh.mu.Lock()
		sh.m, sh.bytes = nil, 0
		sh.mu.Unlock()
	}
}

func (b *bodyCache) get(key string, ver pageVersion) (body, bool) {
	k := ver.kept()
	sh := b.shard(key)
	sh.mu.Lock()
	e := sh.m[key]
	if e == nil {
		sh.mu.Unlock()
		return body{}, false
	}
	if e.ver == k {
		bd := e.body
		sh.mu.Unlock()
		return bd, true
	}
	ev, shown := e.ver, e.shown
	sh.mu.Unlock()
	// Kept on an earlier snapshot of the same run: right on this one too
	// while nothing it shows changed (an order of another product, most
	// often). The check reads the snapshot only, so it runs unlocked.
	if !ev.sameShared(k) || shown == nil || !ver.Catalog.Still(shown) {
		return body{}, false
	}
	sh.mu.Lock()
	if sh.m[key] == e && e.ver == ev {
		e.ver = k // the body is right on this snapshot too
	}
	sh.mu.Unlock()
	return e.body, true
}

// entrySize is the memory an entry of key holds.
func (e *bodyEntry) entrySize(key string) int {
	n := e.body.size() + len(key)
	if e.shown != nil {
		n += e.shown.Size()
	}
	return n
}

// put keeps a body rendered from ver, which shows shown of its catalog
// snapshot.
func (b *bodyCache) put(key string, ver pageVersion, bd body, shown *shop.Shown) {
	ne := &bodyEntry{ver: ver.kept(), body: bd, shown: shown}
	size := ne.entrySize(key)
	sh := b.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.m == nil {
		sh.m = map[string]*bodyEntry{}
	}
	if old := sh.m[key]; old != nil {
		sh.bytes -= old.entrySize(key)
		delete(sh.m, key)
	}
	for k, e := range sh.m {
		if sh.bytes+size <= sharedBodyBytes/bodyShards {
			break
		}
		// Stale versions first would be better; random order is fair enough.
		delete(sh.m, k)
		sh.bytes -= e.entrySize(k)
	}
	sh.m[key] = ne
	sh.bytes += size
}

// showed keeps e's rows as the homepage the viewer of key was last given
// (skippedAbove reads them). An event of theirs may have committed while the
// page was composed and replaced st (behaved): the page goes to the state
// that took its place, or the click that follows would find no page to
// read the passed-over cards from.
func (c *viewerCache) showed(key string, st *viewerState, e *homeEntry) {
	for range 4 { // a state replaced more often than this is being dropped
		st.mu.Lock()
		if !st.removed {
			st.lastPage = e.read
			st.mu.Unlock()
			return
		}
		st.mu.Unlock()
		sh := c.shard(key)
		sh.mu.Lock()
		next := sh.m[key]
		sh.mu.Unlock()
		if next == nil || next == st {
			return
		}
		st = next
	}
}

// skippedAbove records, when a viewer opens product id from row slot of the
// homepage they were last given, the cards they passed over to reach it: the
// rows above it and the cards before it in its row, in reading order. A
// shopper reads a page from the top and a row from its start, and opened
// this card rather than those; their next homepages put them last
// (recommender.Shopper.Passed), so the best places show what they have not
// turned down yet.
func (c *viewerCache) skippedAbove(key string, id uint, slot string) {
	st := c.get(key)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.lastPage == nil || st.removed {
		return
	}
	for i, cd := range st.lastPage {
		if cd.id == id && cd.slot == slot {
			for _, above := range st.lastPage[:i] {
				st.passed = append(st.passed, above.ext)
			}
			if n := len(st.passed); n > maxPassed {
				st.passed = slices.Clone(st.passed[n-maxPassed:])
			}
			return
		}
	}
}
