package templates

import (
	"context"
	"io"
	"sync"

	"github.com/a-h/templ"
)

// A product page's two rows are sixteen cards, and the same product's card
// is on the rows of many pages: rendering the cards was three quarters of
// rendering a product page's body (templ's formatting of every value, the
// price), the page's first view costing the most of all product requests.
// RowCard renders a card once and writes the kept HTML on every later
// page. A card's HTML follows from the card and the shop's money format
// alone (ProductCard reads nothing else), which together are the key: a
// product whose title, price, picture or stock changed makes another card.

// cardKey is what a rendered card follows from.
type cardKey struct {
	card  Card
	money MoneyFormat
}

// renderedCard is a product's card as last rendered.
type renderedCard struct {
	key  cardKey
	html string
}

// renderedCards holds the last rendered card of each product, up to
// maxCardBytes of HTML; past it they are all forgotten and the ones in use
// rendered again. Looked up by product ID and compared (hashing the whole
// card on every lookup cost more than the comparison).
type renderedCards struct {
	mu    sync.Mutex
	m     map[uint]renderedCard
	bytes int
}

// maxCardBytes bounds the HTML of kept cards: ~700 bytes a card, every
// card of a 5,000-product shop.
const maxCardBytes = 6 << 20

var cards renderedCards

// RowCard is ProductCard(c), rendered once for every page that shows it.
func RowCard(c Card) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		k := cardKey{card: c, money: ShopOf(ctx).Money}
		cards.mu.Lock()
		r, ok := cards.m[c.ID]
		cards.mu.Unlock()
		html := r.html
		if !ok || r.key != k { // NaN scores never compare equal: rendered every time
			buf := templ.GetBuffer()
			defer templ.ReleaseBuffer(buf)
			if err := ProductCard(c).Render(ctx, buf); err != nil {
				return err
			}
			html = buf.String()
			cards.put(k, html)
		}
		_, err := io.WriteString(w, html)
		return err
	})
}

func (r *renderedCards) put(k cardKey, html string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old, had := r.m[k.card.ID]
	if had {
		r.bytes -= cardSize(old.html)
	}
	if r.m == nil || r.bytes+cardSize(html) > maxCardBytes {
		r.m, r.bytes = map[uint]renderedCard{}, 0
	}
	r.m[k.card.ID] = renderedCard{key: k, html: html}
	r.bytes += cardSize(html)
}

// cardSize counts a kept card: its HTML and its key's strings, mostly the
// card's own (its address) or shared with the catalog.
func cardSize(html string) int { return len(html) + 200 }
