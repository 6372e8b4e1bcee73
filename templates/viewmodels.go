// Package templates renders the shop's pages with templ. It knows view
// models only: no database, no HTTP framework, no recommender.
package templates

import (
	"net/url"
	"strconv"
	"strings"
)

// BannerType is the slot type filled with creatives instead of products
// (models.SlotBanner): its form hides the product fields.
const BannerType = "banner"

// Base is what every page's layout needs.
type Base struct {
	Title       string
	Description string
	CSRF        string
	ShopperName string
	StaffName   string
	StaffRole   string
	CartCount   int
	Nav         []NavCategory
	Query       string
	Flash       string
	RequestID   string
	Path        string
}

// LoggedIn reports whether a shopper is logged in.
func (b Base) LoggedIn() bool { return b.ShopperName != "" }

// NavCategory is a top-level category in the header.
type NavCategory struct {
	Name string
	Slug string
}

// Card is a product in a list or row.
type Card struct {
	ID         uint
	ExternalID string
	Title      string
	Brand      string
	PriceCents int64
	// From shows the price as "from": the card stands for the sizes or
	// colours of one model, whose prices differ (PriceCents is the lowest).
	From       bool
	InStock    bool
	URL        string
	Image      string
	Reason     string
	ReasonLink string // where the shopper can see and change what the reason is based on
	// CompareAtCents is the regular price of a product on sale (0 = not on
	// sale); DiscountPercent is the saving, rounded down.
	CompareAtCents  int64
	DiscountPercent int
	Slot            string
	Position        int
	// Source and Score say what placed the card; shown in the preview only.
	Source string
	Score  float64
}

func withoutReason(c Card) Card {
	c.Reason, c.ReasonLink = "", ""
	return c
}

// Link is a labelled URL.
type Link struct {
	Label  string
	URL    string
	Active bool
}

func itoa(n int) string { return strconv.Itoa(n) }

func utoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }

func btoa(b bool) string { return strconv.FormatBool(b) }

// drawingURL is the server's drawing of a product (web.ImageURL of a
// product without an image): what a picture that fails to load is
// replaced with (static/app.js).
func drawingURL(id uint) string { return "/img/p/" + utoa(id) + ".svg" }

// Plural returns "1 item" / "3 items".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Num(n) + " " + many // "1,543 products", as Num writes the counts beside it
}

// CartItemsWord completes the header's cart link for a screen reader:
// "Cart 1 item", "Cart 3 items" rather than "Cart 3".
func CartItemsWord(n int) string {
	if n == 1 {
		return " item"
	}
	return " items"
}

func urlQuery(s string) string { return url.QueryEscape(s) }

// Num formats a count with thousands separators, e.g. 339563 → "339,563".
func Num(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + Num(-n)
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
