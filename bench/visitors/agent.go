package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// Behaviour of every agent; docs/recommender.md states them.
const (
	rowDecay    = 0.7 // attention kept from one row to the next
	cardDecay   = 0.8 // attention kept from one card to the next in a row
	clickAt     = 2.0 // utility at which an examined card is clicked half the time
	cartAt      = 2.3 // utility at which a viewed product is added to the cart half the time
	choiceWidth = 0.2 // how sharp both choices are
	maxPages    = 10  // homepage views in one visit at most
)

// arm is one way of serving the agents.
type arm int

const (
	armCookies arm = iota // a normal visit: the browser keeps the shop's cookies
	armNew                // no cookies: a new visitor on every homepage
	armOracle             // the agent's own best products in the page's positions
	// armOracleAfter is the shop's page (cookies kept) until the first
	// click, the oracle's from then on: the most any homepage that follows
	// the visit could reach with the shop's pages for strangers.
	armOracleAfter
	numArms
)

func (a arm) String() string {
	return [...]string{"cookies kept", "new visitor every page", "oracle", "oracle after 1st click"}[a]
}

// card is one product card on a page, in reading order.
type card struct {
	id   uint
	href string
	row  int // 0-based row among the rows with cards
	col  int // 0-based place in its row
}

// visit is what one agent did in one arm.
type visit struct {
	pages, clicks, carts int
	cartedIDs            []uint
	// after sums, over the homepages after the first click, each page's
	// exact chance of a click and of a cart (pageChances): a figure of the
	// pages themselves, without the draws of what the agent did on them.
	after pageSums
	// afterBy splits after by what the latest product the agent opened is
	// to its hidden taste (latestKind), the control group's pages apart:
	// where the pages after a click lose, the shop cannot tell.
	afterBy [numLatest]pageSums
	// firstKind is what the first product the agent opened was to its
	// taste (when it clicked at all).
	firstKind latestKind
	// first is the first homepage's chance of a click and of a cart: a
	// figure of the page a stranger lands on.
	first pageSums
	// back sums the same over the homepages after the first that come
	// before any click: for a visitor whose cookies are kept, the shop's
	// pages for a stranger back without a click.
	back pageSums
	// rowClicks counts the products opened from a product page's rows
	// (--product-rows), productPages the product pages whose rows the agent
	// read.
	rowClicks, productPages int
	ended                   ending
	// control: in the cookies-kept arm, the shop sorted the agent's visitor
	// into its standing control group (shopClient.inControl), which gets
	// the stranger's page throughout.
	control bool
}

// latestKind is what a product the agent opened is to its hidden taste.
type latestKind int

const (
	latestOwn     latestKind = iota // a category it came for
	latestDept                      // another category of its department
	latestOutside                   // outside its department: a whim
	latestControl                   // (afterBy) the shop's control group's pages, whatever was opened
	numLatest
)

// kindOf is what it is to the agent's taste.
func (t taste) kindOf(it *item) latestKind {
	switch {
	case t.favorites[it.category]:
		return latestOwn
	case it.dept == t.dept:
		return latestDept
	}
	return latestOutside
}

// ending is why a visit ended.
type ending int

const (
	endWants    ending = iota // the agent has the products it came for
	endPatience               // too many homepages without a click
	endPages                  // the homepage views an agent makes at most
)

// pageSums adds up pages' chances.
type pageSums struct {
	pages         int
	click, carted float64
}

// add sums q into p.
func (p *pageSums) add(q pageSums) {
	p.pages += q.pages
	p.click += q.click
	p.carted += q.carted
}

// agent is one simulated shopper.
type agent struct {
	taste    taste
	patience int // homepage views without a click the agent sits through
	wants    int // products the agent came for: it leaves once they are in the cart
	// readsRows: on a product page the agent also reads the page's rows
	// ("Customers also bought", "Similar items") like a homepage's, and
	// opens the first product there it likes enough, before coming back to
	// the homepage (--product-rows).
	readsRows bool
}

// shopClient talks to the real server like a browser.
type shopClient struct {
	base    string
	hc      *http.Client
	flush   func(context.Context) error // waits until the shop has written the visit's events
	timeout time.Duration
	// control reports whether the shop puts a visitor id in its standing
	// control group (shop.Assign with the shop's setting); nil: never.
	control func(visitorID string) bool
}

// visitorCookie is the shop's visitor cookie: the visitor id, a dot, its
// signature.
const visitorCookie = "sf_vid"

// inControl reports whether the browser hc is a visitor the shop keeps in
// its control group: the harness reports the share of the oracle's uplift
// with and without those visitors (report).
func (s *shopClient) inControl(hc *http.Client) bool {
	if s.control == nil || hc == nil || hc.Jar == nil {
		return false
	}
	u, err := url.Parse(s.base)
	if err != nil {
		return false
	}
	for _, c := range hc.Jar.Cookies(u) {
		if c.Name == visitorCookie {
			id, _, _ := strings.Cut(c.Value, ".")
			return s.control(id)
		}
	}
	return false
}

func (s *shopClient) newBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: s.timeout, Transport: s.hc.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (s *shopClient) get(ctx context.Context, hc *http.Client, path string) (*goquery.Document, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+path, nil)
	if err != nil {
		return nil, err
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", path, res.Status)
	}
	return goquery.NewDocumentFromReader(io.LimitReader(res.Body, 8<<20))
}

// homeCards reads the homepage's product cards: each slot with cards is a
// row, its cards in order.
func homeCards(doc *goquery.Document) []card {
	return rowCards(doc, "section[data-slot-id]", 0)
}

// productRowCards reads a product page's rows of product cards. The product
// itself is the page's first row: its rows are read from the second on.
func productRowCards(doc *goquery.Document) []card {
	return rowCards(doc, "section.slot", 1)
}

// rowCards reads the product cards of the sections matching sel: each
// section with cards is a row, numbered from first, its cards in order.
func rowCards(doc *goquery.Document, sel string, first int) []card {
	var out []card
	row := first
	doc.Find(sel).Each(func(_ int, sec *goquery.Selection) {
		col := 0
		sec.Find("article[data-product-id]").Each(func(_ int, a *goquery.Selection) {
			id, err := strconv.ParseUint(a.AttrOr("data-product-id", ""), 10, 32)
			if err != nil {
				return
			}
			href, _ := a.Find("a").First().Attr("href")
			out = append(out, card{id: uint(id), href: href, row: row, col: col})
			col++
		})
		if col > 0 {
			row++
		}
	})
	return out
}

// addToCart submits the product page's add-to-cart form.
func (s *shopClient) addToCart(ctx context.Context, hc *http.Client, doc *goquery.Document) error {
	form := doc.Find("form.add-to-cart").First()
	if form.Length() == 0 {
		return fmt.Errorf("no add-to-cart form")
	}
	vals := url.Values{}
	form.Find("input[name]").Each(func(_ int, in *goquery.Selection) {
		vals.Set(in.AttrOr("name", ""), in.AttrOr("value", ""))
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/cart/add", strings.NewReader(vals.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.base)
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/cart" {
		return fmt.Errorf("add to cart: %s to %q", res.Status, res.Header.Get("Location"))
	}
	return nil
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// browse runs one visit. The agent looks at the homepage card by card in
// reading order; each card is examined with a probability that falls off
// down the page and along its row; an examined card is clicked by taste
// (never one clicked before). The agent then decides on the product page
// whether to add it to the cart (with readsRows it then reads the product
// page's rows the same way, and may open a product there, and so on), and
// comes back to the homepage. A homepage without a click costs patience;
// the agent leaves when it runs out, or once it has the products it came
// for. layout and productLayout are the positions of the cards of a
// homepage and of a product page's rows, which the oracle fills.
func (a *agent) browse(ctx context.Context, s *shopClient, w *world, ar arm, rng *rand.Rand, layout, productLayout []card) (visit, error) {
	var v visit
	clicked := map[uint]bool{}
	var latest latestKind // of the latest product opened
	patience := a.patience
	var hc *http.Client
	if ar == armCookies || ar == armOracleAfter {
		hc = s.newBrowser()
	}
	for v.pages < maxPages && patience > 0 && v.carts < a.wants {
		page := hc
		if ar == armNew {
			page = s.newBrowser()
		}
		var cards []card
		oracle := ar == armOracle || ar == armOracleAfter && v.clicks > 0
		if oracle {
			cards = oraclePage(a.taste, w, layout, clicked)
		} else {
			doc, err := s.get(ctx, page, "/")
			if err != nil {
				return v, err
			}
			cards = homeCards(doc)
			if ar == armCookies && v.pages == 0 {
				v.control = s.inControl(hc)
			}
		}
		v.pages++
		if v.pages == 1 {
			click, cart := pageChances(a.taste, w, cards, clicked)
			v.first = pageSums{pages: 1, click: click, carted: cart}
		}
		if v.pages > 1 && v.clicks == 0 {
			click, cart := pageChances(a.taste, w, cards, clicked)
			v.back.add(pageSums{pages: 1, click: click, carted: cart})
		}
		if v.clicks > 0 {
			click, cart := pageChances(a.taste, w, cards, clicked)
			v.after.pages++
			v.after.click += click
			v.after.carted += cart
			by := latest
			if v.control {
				by = latestControl
			}
			v.afterBy[by].add(pageSums{pages: 1, click: click, carted: cart})
		}
		chosen := a.firstClick(w, cards, clicked, rng)
		if chosen == nil {
			patience--
			continue
		}
		// The product page; with readsRows, then the products the agent
		// opens from its rows, one after the other, until a page's rows
		// hold nothing it opens.
		for open := *chosen; ; {
			clicked[open.id] = true
			v.clicks++
			it := w.byID[open.id]
			latest = a.taste.kindOf(it)
			if v.clicks == 1 {
				v.firstKind = latest
			}
			wantsIt := rng.Float64() < sigmoid((a.taste.utility(it)-cartAt)/choiceWidth)
			var rows []card
			// The shop's product page, but for the oracle, whose pages
			// after the first click are the agent's own (its first click
			// opens the shop's page, as the visit was the shop's).
			if ar == armCookies || ar == armNew || ar == armOracleAfter && v.clicks == 1 {
				doc, err := s.get(ctx, page, open.href)
				if err != nil {
					return v, err
				}
				rows = productRowCards(doc)
				if wantsIt {
					if err := s.addToCart(ctx, page, doc); err != nil {
						return v, fmt.Errorf("product %d: %w", open.id, err)
					}
				}
				// A person reads the product page for seconds: by the
				// time they are back, the shop has written what they did.
				if err := s.flush(ctx); err != nil {
					return v, err
				}
			}
			if wantsIt {
				v.carts++
				v.cartedIDs = append(v.cartedIDs, open.id)
			}
			if !a.readsRows || v.carts >= a.wants || v.productPages >= maxPages {
				break
			}
			v.productPages++
			if ar == armOracle || ar == armOracleAfter {
				rows = oraclePage(a.taste, w, productLayout, clicked)
			}
			next := a.firstClick(w, rows, clicked, rng)
			if next == nil {
				break
			}
			v.rowClicks++
			open = *next
		}
	}
	switch {
	case v.carts >= a.wants:
		v.ended = endWants
	case patience <= 0:
		v.ended = endPatience
	default:
		v.ended = endPages
	}
	return v, nil
}

// firstClick is the card the agent opens on a page: the first, in reading
// order, that it examines (a chance that falls off down the page and along
// the row) and likes enough to click, never one it clicked before; nil when
// there is none.
func (a *agent) firstClick(w *world, cards []card, clicked map[uint]bool, rng *rand.Rand) *card {
	for i := range cards {
		c := &cards[i]
		it := w.byID[c.id]
		if it == nil || clicked[c.id] {
			continue
		}
		if rng.Float64() >= math.Pow(rowDecay, float64(c.row))*math.Pow(cardDecay, float64(c.col)) {
			continue
		}
		if rng.Float64() < sigmoid((a.taste.utility(it)-clickAt)/choiceWidth) {
			return c
		}
	}
	return nil
}

// pageChances is the chance that the agent clicks a card of the page and
// the chance that it adds the clicked product to the cart, before any draw:
// it reads the cards in order, each examined and clicked with the
// probabilities browse uses, the first click ending the page.
func pageChances(t taste, w *world, cards []card, clicked map[uint]bool) (click, cart float64) {
	reach := 1.0 // chance that no earlier card was clicked
	for _, c := range cards {
		it := w.byID[c.id]
		if it == nil || clicked[c.id] {
			continue
		}
		u := t.utility(it)
		p := math.Pow(rowDecay, float64(c.row)) * math.Pow(cardDecay, float64(c.col)) * sigmoid((u-clickAt)/choiceWidth)
		click += reach * p
		cart += reach * p * sigmoid((u-cartAt)/choiceWidth)
		reach *= 1 - p
	}
	return click, cart
}

// oraclePage fills the positions of a real homepage with the agent's best
// products in order, leaving out what it already clicked.
func oraclePage(t taste, w *world, layout []card, clicked map[uint]bool) []card {
	best := t.best(w, len(layout), clicked)
	out := make([]card, 0, len(best))
	for i, id := range best {
		out = append(out, card{id: id, row: layout[i].row, col: layout[i].col})
	}
	return out
}
