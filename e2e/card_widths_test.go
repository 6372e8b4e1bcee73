package e2e

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"storefront/models"
)

// TestCardsKeepOneWidthInEveryRow: a homepage row with only two cards (a
// visitor's "Recently viewed" after two products) shows them as wide as the
// cards of the full rows, on a desktop and on a phone.
func TestCardsKeepOneWidthInEveryRow(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	// Two products no row above is likely to show: the least popular.
	var viewed []models.Product
	must(t, s.db.R.Where("active AND stock > 0").Order("popularity, id").Limit(2).Find(&viewed).Error)
	b := newBrowser(t, s)
	b.step(t, "two products viewed, then the homepage at 1280 and 390 px", func(t *testing.T, b *tab) {
		for _, p := range viewed {
			b.open(fmt.Sprintf("/p/%d-%s", p.ID, p.Slug), `main h1`)
		}
		for _, w := range []int64{1280, 390} {
			b.do("resize", chromedp.EmulateViewport(w, 900))
			var widths map[string]float64
			eventually(t, 5*time.Second, func() string {
				b.open("/", `section[data-slot-id] .row > .card`)
				widths = eval[map[string]float64](b, `Object.fromEntries([...document.querySelectorAll('section[data-slot-id]')]
					.filter(s => s.querySelector('.row > .card'))
					.map(s => [s.dataset.slotType + ' (' + s.querySelectorAll('.row > .card').length + ' cards)',
						s.querySelector('.row > .card').getBoundingClientRect().width]))`)
				if _, ok := widths["recently_viewed (2 cards)"]; !ok {
					return fmt.Sprintf("no two-card recently viewed row at %d px: %v", w, widths)
				}
				return ""
			})
			b.shot(fmt.Sprintf("home-two-card-row-%d", w))
			lo, hi := math.Inf(1), 0.0
			for _, v := range widths {
				lo, hi = min(lo, v), max(hi, v)
			}
			if hi-lo > 1 {
				t.Errorf("at %d px the cards' widths differ between rows: %v", w, widths)
			}
		}
		b.do("resize", chromedp.EmulateViewport(1280, 900))
	})
}
