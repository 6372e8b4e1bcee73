package loadtest

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// orderStream places orders at a steady rate while the pages are measured:
// a signed-in buyer (none of the phases' shoppers) adds a product to their
// cart and checks out, as in a real shop orders come in while others
// browse. Every order changes stock, which the shop shows at once on the
// pages that show it: a page cache that dropped more than that on every
// order would be measured cold. The static phases (the ceiling) and the
// sustained event run are measured without it.
type orderStream struct {
	bases  []string
	buyers *turns
	fx     *fixture
	hc     *http.Client
	on     atomic.Bool
	busy   atomic.Int32
	placed atomic.Int64
	failed atomic.Int64
}

// maxOrdersInFlight bounds the orders under way; a tick finding them all
// busy places none.
const maxOrdersInFlight = 4

func newOrderStream(bases []string, buyers []visitor, fx *fixture) *orderStream {
	return &orderStream{bases: bases, buyers: &turns{vs: buyers}, fx: fx,
		hc: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: maxOrdersInFlight},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// run places rate orders a second, while on, until ctx ends.
func (o *orderStream) run(ctx context.Context, rate float64) {
	if rate <= 0 || len(o.buyers.vs) == 0 {
		return
	}
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if !o.on.Load() || o.busy.Load() >= maxOrdersInFlight {
			continue
		}
		o.busy.Add(1)
		go func() {
			defer o.busy.Add(-1)
			if o.place(ctx, o.bases[n%len(o.bases)]) {
				o.placed.Add(1)
			} else {
				o.failed.Add(1)
			}
		}()
	}
}

// place adds one product to the next buyer's cart and orders the cart.
func (o *orderStream) place(ctx context.Context, base string) bool {
	v := o.buyers.pick()
	p := o.fx.products[rand.IntN(len(o.fx.products))]
	add := url.Values{"product_id": {strconv.FormatUint(uint64(p.id), 10)}, "quantity": {"1"}, "_csrf": {v.csrf}}
	if o.post(ctx, base+"/cart/add", v, add) != http.StatusSeeOther {
		return false
	}
	// The checkout page, as a browser opens it before placing the order:
	// its form names the cart it shows, and the order is placed only from
	// that cart.
	digest, ok := o.shownCart(ctx, base, v)
	if !ok {
		return false
	}
	var key [16]byte
	crand.Read(key[:])
	form := url.Values{"_csrf": {v.csrf}, "idempotency_key": {hex.EncodeToString(key[:])}, "cart_digest": {digest}, "name": {"Bench Buyer"},
		"email": {v.email}, "street": {"1 Main St"}, "city": {"Springfield"}, "postcode": {"12345"}, "country": {"USA"}}
	return o.post(ctx, base+"/checkout", v, form) == http.StatusSeeOther
}

// cartDigest finds the cart digest in a checkout page's form.
var cartDigest = regexp.MustCompile(`name="cart_digest" value="([^"]*)"`)

// shownCart opens the checkout page and gives the digest of the cart it
// shows.
func (o *orderStream) shownCart(ctx context.Context, base string, v visitor) (string, bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/checkout", nil)
	if err != nil {
		return "", false
	}
	req.Header.Set("Cookie", v.cookie)
	res, err := o.hc.Do(req)
	if err != nil {
		return "", false
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil || res.StatusCode != http.StatusOK {
		return "", false
	}
	m := cartDigest.FindSubmatch(body)
	if m == nil {
		return "", false
	}
	return string(m[1]), true
}

func (o *orderStream) post(ctx context.Context, u string, v visitor, form url.Values) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", v.cookie)
	res, err := o.hc.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// OrderCheck is what the order stream placed during the page phases.
type OrderCheck struct {
	Rate   float64 `json:"requested_per_s"`
	Placed int64   `json:"placed"`
	Failed int64   `json:"failed"`
}
