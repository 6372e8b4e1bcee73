package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// endpoint is one kind of request the harness sends.
type endpoint struct {
	name string
	want int // the status code a good answer has
	fill func(t *vegeta.Target)
}

// Result is one phase's figures.
type Result struct {
	Endpoint   string         `json:"endpoint"`
	Mode       string         `json:"mode"`           // "closed" (fixed workers) or "open" (constant rate)
	Rate       float64        `json:"rate,omitempty"` // requested rate of an open-loop phase
	Workers    int            `json:"workers"`
	Seconds    float64        `json:"seconds"`
	Requests   uint64         `json:"requests"`
	Good       uint64         `json:"good"` // answered with the expected status
	Throughput float64        `json:"throughput"`
	P50        time.Duration  `json:"p50"`
	P95        time.Duration  `json:"p95"`
	P99        time.Duration  `json:"p99"`
	Max        time.Duration  `json:"max"`
	Codes      map[string]int `json:"codes"`
	Errors     []string       `json:"errors,omitempty"`
	Profile    string         `json:"profile,omitempty"`
}

// attack runs one bounded phase against the servers at bases. A zero rate is a closed loop: `workers`
// workers each send the next request as soon as the previous one is
// answered. Otherwise it is vegeta's open loop at a constant rate, with at
// most `workers` requests in flight.
func attack(ctx context.Context, bases []string, ep endpoint, rate float64, dur time.Duration, workers int, each func(*vegeta.Result)) Result {
	maxBody := int64(0)
	if each != nil {
		maxBody = 4096
	}
	a := vegeta.NewAttacker(vegeta.Workers(uint64(workers)), vegeta.MaxWorkers(uint64(workers)),
		vegeta.Connections(workers), vegeta.MaxConnections(workers), vegeta.Redirects(vegeta.NoFollow),
		vegeta.Timeout(30*time.Second), vegeta.MaxBody(maxBody), vegeta.KeepAlive(true))
	var turn atomic.Uint64
	tr := func(t *vegeta.Target) error {
		ep.fill(t)
		// With several instances, requests take turns, as behind a
		// round-robin load balancer without sticky sessions.
		t.URL = bases[(turn.Add(1)-1)%uint64(len(bases))] + t.URL
		return nil
	}
	pace := vegeta.Rate{Freq: 0, Per: time.Second}
	mode := "closed"
	if rate > 0 {
		mode = "open"
		pace = vegeta.Rate{Freq: int(rate), Per: time.Second}
	}
	var m vegeta.Metrics
	began := time.Now()
	stop := context.AfterFunc(ctx, func() { a.Stop() })
	defer stop()
	for res := range a.Attack(tr, pace, dur, ep.name) {
		m.Add(res)
		if each != nil {
			each(res)
		}
	}
	elapsed := time.Since(began)
	m.Close()
	r := Result{Endpoint: ep.name, Mode: mode, Rate: rate, Workers: workers, Seconds: elapsed.Seconds(),
		Requests: m.Requests, Codes: m.StatusCodes, Errors: m.Errors,
		P50: m.Latencies.P50, P95: m.Latencies.P95, P99: m.Latencies.P99, Max: m.Latencies.Max}
	r.Good = uint64(m.StatusCodes[strconv.Itoa(ep.want)])
	r.Throughput = float64(r.Good) / elapsed.Seconds()
	if len(r.Errors) > 5 {
		r.Errors = r.Errors[:5]
	}
	return r
}

// profile saves a profile of the server taken over d: kind is pprof's
// name for it ("profile" for CPU, "mutex", "block").
func profile(ctx context.Context, pprofBase, kind, file string, d time.Duration) error {
	secs := max(1, int(d.Seconds()))
	return fetch(ctx, pprofBase+"/debug/pprof/"+kind+"?seconds="+strconv.Itoa(secs), file)
}

// fetch saves the answer to a GET of u in file.
func fetch(ctx context.Context, u, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Endpoint names the report and the targets refer to.
const (
	epStatic    = "static"          // a CSS file of the same server: the ceiling
	epStaticID  = "static-identity" // the same file to a client that does not accept gzip
	epStaticEnd = "static-end"      // the static phase again, after every page phase
	epReference = "reference"       // the homepage template with fixed rows
	epHome      = "home"            // logged-in shoppers' homepages, shoppers taking turns
	epHomeAnon  = "home-anon"       // visitors' homepages
	epMix       = "mix"             // 70 % visitors, 30 % logged-in shoppers, browsing
)

// turns hands out the visitors of a list in turn, so every one of them comes
// back only after all the others had a page: no visitor is served twice in a
// row from a cache the others never touch.
type turns struct {
	vs   []visitor
	next atomic.Uint64
}

func (t *turns) pick() visitor { return t.vs[(t.next.Add(1)-1)%uint64(len(t.vs))] }

// Accept-Encoding values a run sends. Every request carries one explicitly:
// with none, Go's client would ask for gzip and inflate the answer itself,
// so the load generator, which shares the server's cores, would spend CPU
// on compressed answers (the static file) that it does not spend on pages.
const (
	encGzip     = "gzip"
	encIdentity = "identity"
)

// endpoints builds the shopper-facing requests; every one but
// static-identity sends Accept-Encoding: enc.
func endpoints(fx *fixture, shoppers, anons []visitor, enc string) []endpoint {
	getEnc := func(u string, v visitor, t *vegeta.Target, enc string) {
		t.Method, t.URL, t.Body = http.MethodGet, u, nil
		t.Header = http.Header{"Cookie": {v.cookie}, "Accept-Encoding": {enc}}
	}
	get := func(u string, v visitor, t *vegeta.Target) { getEnc(u, v, t, enc) }
	sh, an := &turns{vs: shoppers}, &turns{vs: anons}
	mixShoppers, mixAnons := &turns{vs: shoppers}, &turns{vs: anons}
	product := func() productRef { return fx.products[rand.IntN(len(fx.products))] }
	category := func() string { return "/c/" + fx.categories[rand.IntN(len(fx.categories))] }
	search := func() string { return "/search?q=" + url.QueryEscape(fx.queries[rand.IntN(len(fx.queries))]) }
	return []endpoint{
		{epStatic, http.StatusOK, func(t *vegeta.Target) { get("/static/app.css", an.pick(), t) }},
		{epStaticID, http.StatusOK, func(t *vegeta.Target) { getEnc("/static/app.css", an.pick(), t, encIdentity) }},
		{epReference, http.StatusOK, func(t *vegeta.Target) { get("/bench/reference", sh.pick(), t) }},
		{epHome, http.StatusOK, func(t *vegeta.Target) { get("/", sh.pick(), t) }},
		{epHomeAnon, http.StatusOK, func(t *vegeta.Target) { get("/", an.pick(), t) }},
		// A browsing mix: 70 % of requests from visitors, 30 % from logged-in
		// shoppers; half of them homepages, the rest product, category and
		// search pages. Product views are events, so shoppers' cached
		// homepages are invalidated as they browse.
		{epMix, http.StatusOK, func(t *vegeta.Target) {
			v := mixAnons.pick()
			if rand.IntN(10) < 3 {
				v = mixShoppers.pick()
			}
			switch r := rand.IntN(20); {
			case r < 10:
				get("/", v, t)
			case r < 15:
				get(product().path, v, t)
			case r < 18:
				get(category(), v, t)
			default:
				get(search(), v, t)
			}
		}},
		{"category", http.StatusOK, func(t *vegeta.Target) { get(category(), an.pick(), t) }},
		{"product", http.StatusOK, func(t *vegeta.Target) { get(product().path, an.pick(), t) }},
		{"search", http.StatusOK, func(t *vegeta.Target) { get(search(), an.pick(), t) }},
		{"cart-add", http.StatusSeeOther, func(t *vegeta.Target) {
			v := sh.pick()
			form := url.Values{"product_id": {strconv.FormatUint(uint64(product().id), 10)}, "quantity": {"1"}, "_csrf": {v.csrf}}
			t.Method, t.URL, t.Body = http.MethodPost, "/cart/add", []byte(form.Encode())
			t.Header = http.Header{"Cookie": {v.cookie}, "Content-Type": {"application/x-www-form-urlencoded"}, "Accept-Encoding": {enc}}
		}},
	}
}

// eventSource makes event API batches for users under a run-unique prefix,
// so the events of this run can be counted afterwards.
type eventSource struct {
	fx     *fixture
	prefix string
	batch  int
	seq    atomic.Int64
	acked  atomic.Int64
	failed atomic.Int64
}

var eventTypes = []string{"view", "view", "view", "click", "add_to_cart", "purchase"}

func (es *eventSource) endpoint() endpoint {
	return endpoint{"events-api", http.StatusAccepted, func(t *vegeta.Target) {
		var b bytes.Buffer
		b.WriteString(`{"events":[`)
		now := time.Now().UTC().Format(time.RFC3339)
		for i := range es.batch {
			if i > 0 {
				b.WriteByte(',')
			}
			n := es.seq.Add(1)
			fmt.Fprintf(&b, `{"user_id":"%s%d","product_id":%q,"type":%q,"timestamp":%q}`,
				es.prefix, n%5000, es.fx.products[rand.IntN(len(es.fx.products))].ext, eventTypes[n%int64(len(eventTypes))], now)
		}
		b.WriteString(`]}`)
		t.Method, t.URL, t.Body = http.MethodPost, "/api/v1/events", b.Bytes()
		t.Header = http.Header{"Authorization": {"Bearer " + es.fx.apiKey}, "Content-Type": {"application/json"}}
	}}
}

// record adds a response's acknowledged count.
func (es *eventSource) record(r *vegeta.Result) {
	if r.Code != http.StatusAccepted {
		es.failed.Add(1)
		return
	}
	var ack struct {
		Accepted int64 `json:"accepted"`
	}
	if json.Unmarshal(r.Body, &ack) != nil {
		es.failed.Add(1)
		return
	}
	es.acked.Add(ack.Accepted)
}

func codes(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s×%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

// vegetaResult keeps the vegeta import in this file.
type vegetaResult = vegeta.Result
