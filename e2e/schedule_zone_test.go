package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"storefront/models"
)

// TestASlotIsScheduledInTheShopsTimeZone: a Paris shop's merchandiser sets
// the shop's time zone, then schedules a row for 09:00; it starts at 09:00
// in Paris (07:00 UTC in summer), and the form and the layout list show
// 09:00 back, naming the zone (it was read and shown as UTC whatever the
// settings said).
func TestASlotIsScheduledInTheShopsTimeZone(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	b.step(t, "the shop's time zone is Europe/Paris", func(t *testing.T, b *tab) {
		b.open("/admin/settings", `[data-testid="field-time_zone"]`)
		b.fill(`#time_zone`, "Europe/Paris")
		b.follow(`[data-testid="save-settings"]`, `[data-testid="field-time_zone"]`)
	})
	b.step(t, "a row scheduled for 09:00 starts at 09:00 in Paris", func(t *testing.T, b *tab) {
		b.open("/admin/layout/slots/new", `[data-testid="slot-form"]`)
		if got := b.text(`[data-testid="schedule-zone"]`); !strings.Contains(got, "Europe/Paris") {
			t.Fatalf("the schedule's label reads %q", got)
		}
		b.fill(`#f-title`, "Soldes d'été")
		b.do("schedule", chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name="starts_at"]').value = "2031-06-01T09:00"`))
		b.follow(`[data-testid="save-slot"]`, `[data-testid="layout-list"]`)
		var sl models.Slot
		must(t, s.db.R.Where("title = ?", "Soldes d'été").Order("id desc").First(&sl).Error)
		if want := time.Date(2031, 6, 1, 7, 0, 0, 0, time.UTC); sl.StartsAt == nil || !sl.StartsAt.Equal(want) {
			t.Fatalf("the row starts at %v, want %v (09:00 in Paris)", sl.StartsAt, want)
		}
		if got := b.text(`[data-testid="layout-list"]`); !strings.Contains(got, "From Jun 1 09:00 Europe/Paris") {
			t.Errorf("the layout list does not say the row starts Jun 1 09:00 Europe/Paris:\n%s", got)
		}
		b.follow(`a[data-testid="slot-title"][href$="/`+strconv.FormatUint(uint64(sl.ID), 10)+`/edit"]`, `[data-testid="slot-form"]`)
		if got := b.value(`input[name="starts_at"]`); got != "2031-06-01T09:00" {
			t.Errorf("the form shows the start as %q, want 2031-06-01T09:00", got)
		}
	})
}
