package templates

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/a-h/templ"
)

// ShopView is the merchant's identity and formats, shown on every page. The
// web layer puts it into each request's context (WithShop); components read
// it with ShopOf, Price and LocalTime.
type ShopView struct {
	Name         string
	LogoURL      string // "" when the shop has no logo
	Money        MoneyFormat
	Location     *time.Location // the shop's time zone
	ContactEmail string
	ContactPhone string
	FooterText   string
	HasPolicies  bool   // shipping or returns text exists: link the page
	Notice       string // the demo / simulated-payments notice, "" when neither applies
}

// MoneyFormat says how the shop writes an amount.
type MoneyFormat struct {
	Symbol      string
	SymbolAfter bool
	Thousands   string
	Decimal     string
}

// DefaultShop is the shop shown when nothing was configured.
var DefaultShop = ShopView{Name: "Storefront", Money: DefaultMoney, Location: time.UTC}

// DefaultMoney writes US dollars: $1,234.56.
var DefaultMoney = MoneyFormat{Symbol: "$", Thousands: ",", Decimal: "."}

// NewMoneyFormat builds a format from a currency symbol and a pattern such
// as "1.234,56" (thousands separator, then decimal separator).
func NewMoneyFormat(symbol, pattern string, symbolAfter bool) MoneyFormat {
	f := MoneyFormat{Symbol: symbol, SymbolAfter: symbolAfter, Thousands: ",", Decimal: "."}
	r := []rune(pattern)
	if len(r) == 8 { // "1,234.56"
		f.Thousands, f.Decimal = string(r[1]), string(r[5])
	}
	return f
}

// Format writes an amount in hundredths, e.g. 123456 → "$1,234.56" or "1.234,56 €".
func (f MoneyFormat) Format(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	if !f.SymbolAfter {
		b.WriteString(f.Symbol)
		if isLetters(f.Symbol) {
			b.WriteByte(' ') // "CHF 12.50"
		}
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(f.Thousands)
		}
		b.WriteRune(r)
	}
	b.WriteString(f.Decimal)
	frac := cents % 100
	b.WriteByte(byte('0' + frac/10))
	b.WriteByte(byte('0' + frac%10))
	if f.SymbolAfter {
		b.WriteByte(' ')
		b.WriteString(f.Symbol)
	}
	return b.String()
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return s != ""
}

type shopKey struct{}

// WithShop returns a context carrying the shop's view.
func WithShop(ctx context.Context, s ShopView) context.Context {
	return context.WithValue(ctx, shopKey{}, s)
}

// ShopOf returns the shop in ctx, or DefaultShop.
func ShopOf(ctx context.Context) ShopView {
	if s, ok := ctx.Value(shopKey{}).(ShopView); ok {
		return s
	}
	return DefaultShop
}

// Price writes an amount in hundredths in the shop's currency and format.
func Price(ctx context.Context, cents int64) string { return ShopOf(ctx).Money.Format(cents) }

// PlainAmount writes an amount in hundredths for a form field, with the
// shop's decimal mark and nothing else: 129900 → "1299.00", or "1299,00"
// in a shop that writes 1.234,56 (the fields read both).
func PlainAmount(ctx context.Context, cents int64) string {
	return strconv.FormatInt(cents/100, 10) + ShopOf(ctx).Money.Decimal + string(rune('0'+cents%100/10)) + string(rune('0'+cents%10))
}

// LocalTime writes a time with minutes in the shop's time zone, e.g.
// "Mar 4, 2026 09:15 CET".
func LocalTime(ctx context.Context, t time.Time) string {
	loc := ShopOf(ctx).Location
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("Jan 2, 2006 15:04 MST")
}

// LocalDate writes a time's day in the shop's time zone, e.g. "Mar 4, 2026".
func LocalDate(ctx context.Context, t time.Time) string {
	return inShopZone(ctx, t).Format("Jan 2, 2006")
}

// LocalDay writes a time's day without the year in the shop's time zone,
// e.g. "Mar 4".
func LocalDay(ctx context.Context, t time.Time) string { return inShopZone(ctx, t).Format("Jan 2") }

func inShopZone(ctx context.Context, t time.Time) time.Time {
	if loc := ShopOf(ctx).Location; loc != nil {
		return t.In(loc)
	}
	return t.UTC()
}

// Paragraphs splits text typed by a merchant into paragraphs at blank lines.
func Paragraphs(text string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// InvalidAttrs marks a form control whose field has an error as invalid and
// names its message (FieldError's span) as its description, so a screen
// reader says what is wrong on reaching it; nothing when the field is fine.
func InvalidAttrs(errs map[string]string, field string) templ.Attributes {
	if errs[field] == "" {
		return templ.Attributes{}
	}
	return templ.Attributes{"aria-invalid": "true", "aria-describedby": field + "-error"}
}

// PriceErrorAttrs ties a listing's Min and Max price fields to the price
// filter's error, the one message both share.
func PriceErrorAttrs(msg string) templ.Attributes {
	if msg == "" {
		return templ.Attributes{}
	}
	return templ.Attributes{"aria-invalid": "true", "aria-describedby": "price-error"}
}

// LangAttrs names the language of a merchant's text when its script says
// it, whatever the page's: Greek is "el", Japanese kana "ja", Hangul "ko"
// (Chinese characters alone could be either Chinese or Japanese, and Latin
// letters any of many languages: no attribute). A screen reader then reads
// the title in its language, Japanese titles are drawn with Japanese glyphs,
// and an upper-cased Greek brand drops its accents as Greek does (ΠΑΤΑΚΗΣ,
// not ΠΑΤΆΚΗΣ).
func LangAttrs(s string) templ.Attributes {
	for _, r := range s {
		switch {
		case r < 0x370:
			continue // ASCII and Latin: the common case
		case unicode.Is(unicode.Greek, r):
			return langGreek
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
			return langJapanese
		case unicode.Is(unicode.Hangul, r):
			return langKorean
		}
	}
	return noAttrs
}

// Shared and only read by the renderer: cards ask for these by the hundred.
var (
	noAttrs      = templ.Attributes{}
	langGreek    = templ.Attributes{"lang": "el"}
	langJapanese = templ.Attributes{"lang": "ja"}
	langKorean   = templ.Attributes{"lang": "ko"}
)
