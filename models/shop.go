package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Keys of the shop's settings in the settings table.
const (
	settingShop     = "shop"      // ShopSettings as JSON
	settingShopDemo = "shop.demo" // "1" in the generated demo world
	settingLogo     = "shop.logo" // Logo as JSON
)

// ShopSettings are the merchant's own name, money, time and texts, shown on
// every page.
type ShopSettings struct {
	Name         string `json:"name"`
	Currency     string `json:"currency"`      // ISO 4217 code, one of Currencies
	NumberFormat string `json:"number_format"` // one of NumberFormats, e.g. "1,234.56"
	SymbolAfter  bool   `json:"symbol_after"`  // "12.50 €" instead of "€12.50"
	TimeZone     string `json:"time_zone"`     // IANA name, e.g. "Europe/Berlin"
	ContactEmail string `json:"contact_email"` // shown in the footer
	ContactPhone string `json:"contact_phone"` // shown in the footer
	ShippingText string `json:"shipping_text"` // on the shipping and returns page
	ReturnsText  string `json:"returns_text"`  // on the shipping and returns page
	FooterText   string `json:"footer_text"`   // a line in every page's footer
	LogoVersion  string `json:"logo_version"`  // changes with every new logo; "" = no logo
	UpdatedAt    string `json:"updated_at"`    // RFC 3339, when an admin last saved
	Demo         bool   `json:"-"`             // the generated demo world
	location     *time.Location
}

// Currency is a currency the shop can sell in. Prices are stored in
// hundredths, so only currencies with two decimals are offered.
type Currency struct {
	Code   string
	Symbol string
	Name   string
}

// Currencies lists the currencies a shop can choose.
var Currencies = []Currency{
	{"USD", "$", "US dollar"}, {"EUR", "€", "Euro"}, {"GBP", "£", "Pound sterling"},
	{"CAD", "CA$", "Canadian dollar"}, {"AUD", "A$", "Australian dollar"}, {"NZD", "NZ$", "New Zealand dollar"},
	{"CHF", "CHF", "Swiss franc"}, {"SEK", "kr", "Swedish krona"}, {"NOK", "kr", "Norwegian krone"},
	{"DKK", "kr.", "Danish krone"}, {"PLN", "zł", "Polish złoty"}, {"CZK", "Kč", "Czech koruna"},
	{"INR", "₹", "Indian rupee"}, {"BRL", "R$", "Brazilian real"}, {"MXN", "MX$", "Mexican peso"},
	{"ZAR", "R", "South African rand"}, {"SGD", "S$", "Singapore dollar"}, {"HKD", "HK$", "Hong Kong dollar"},
}

// NumberFormats are the ways of writing 1234.56 a shop can choose.
var NumberFormats = []string{"1,234.56", "1.234,56", "1 234,56", "1'234.56"}

// DefaultShopSettings is a shop nobody has configured yet.
func DefaultShopSettings() ShopSettings {
	return ShopSettings{Name: "Storefront", Currency: "USD", NumberFormat: "1,234.56", TimeZone: "UTC", location: time.UTC}
}

// CurrencySymbol returns the symbol of the shop's currency.
func (s ShopSettings) CurrencySymbol() string {
	for _, c := range Currencies {
		if c.Code == s.Currency {
			return c.Symbol
		}
	}
	return s.Currency
}

// Location is the shop's time zone; times shown to people are in it.
func (s ShopSettings) Location() *time.Location {
	if s.location != nil {
		return s.location
	}
	if loc, err := time.LoadLocation(s.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// Validate checks the settings and fills in the time zone.
func (s *ShopSettings) Validate() error {
	f := map[string]string{}
	s.Name = strings.TrimSpace(s.Name)
	switch n := utf8.RuneCountInString(s.Name); {
	case n == 0:
		f["name"] = "Enter the shop's name."
	case n > 80:
		f["name"] = "Use at most 80 characters."
	}
	known := false
	for _, c := range Currencies {
		known = known || c.Code == s.Currency
	}
	if !known {
		f["currency"] = "Choose a currency from the list."
	}
	known = false
	for _, nf := range NumberFormats {
		known = known || nf == s.NumberFormat
	}
	if !known {
		f["number_format"] = "Choose a number format from the list."
	}
	s.TimeZone = strings.TrimSpace(s.TimeZone)
	if loc, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" || strings.EqualFold(s.TimeZone, "Local") {
		f["time_zone"] = "Enter a time zone such as Europe/Berlin or America/New_York."
	} else {
		s.location = loc
	}
	if s.ContactEmail = strings.TrimSpace(s.ContactEmail); s.ContactEmail != "" {
		if _, ok := NormalizeEmail(s.ContactEmail); !ok {
			f["contact_email"] = "Enter a valid email address, or leave it empty."
		}
	}
	if s.ContactPhone = strings.TrimSpace(s.ContactPhone); utf8.RuneCountInString(s.ContactPhone) > 40 {
		f["contact_phone"] = "Use at most 40 characters."
	}
	for field, v := range map[string]*string{"shipping_text": &s.ShippingText, "returns_text": &s.ReturnsText, "footer_text": &s.FooterText} {
		*v = strings.TrimSpace(strings.ReplaceAll(*v, "\r\n", "\n"))
		limit := 4000
		if field == "footer_text" {
			limit = 300
		}
		if utf8.RuneCountInString(*v) > limit {
			f[field] = fmt.Sprintf("Use at most %d characters.", limit)
		}
	}
	if len(f) > 0 {
		return &ValidationError{Fields: f}
	}
	return nil
}

// ShopSettings returns the shop's settings, the defaults where none are stored.
func (db *DB) ShopSettings(ctx context.Context) (ShopSettings, error) {
	var rows []Setting
	err := db.R.WithContext(ctx).Where("key IN ?", []string{settingShop, settingShopDemo}).Find(&rows).Error
	if err != nil {
		return DefaultShopSettings(), fmt.Errorf("models: read shop settings: %w", err)
	}
	s := DefaultShopSettings()
	for _, r := range rows {
		switch r.Key {
		case settingShop:
			if err := json.Unmarshal([]byte(r.Value), &s); err != nil {
				return DefaultShopSettings(), fmt.Errorf("models: decode shop settings: %w", err)
			}
		case settingShopDemo:
			s.Demo = r.Value == "1"
		}
	}
	s.location = nil
	if loc, err := time.LoadLocation(s.TimeZone); err == nil {
		s.location = loc
	}
	return s, nil
}

// SaveShopSettings validates and stores the settings, with an audit entry.
// The logo is kept: it changes through SetLogo.
func (db *DB) SaveShopSettings(ctx context.Context, actor string, s ShopSettings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cur, err := shopSettingsTx(tx)
		if err != nil {
			return err
		}
		s.LogoVersion = cur.LogoVersion
		s.UpdatedAt = time.Now().UTC().Format(time.RFC3339)
		if err := putSetting(tx, settingShop, s); err != nil {
			return err
		}
		return audit(tx, actor, "settings.shop", s.Name, describeShopChanges(cur, s))
	})
}

// AdoptCurrency gives a shop whose settings nobody has saved yet the
// currency code its first catalog's prices were written in (a merchant
// whose first import is priced in euros sells in euros), with an audit
// entry by actor. A configured shop keeps its currency: a merchant who
// chose one is not overruled by a file. Nor does a shop that has taken
// orders, or holds products the file did not list (fileProducts is how
// many it lists, all written before the call): its orders' totals and its
// other products' prices were in the shop's currency, and would read as
// the file's; a partial update priced "€" once turned a dollar shop with
// thousands of orders into a euro shop. It returns the shop's currency
// after the call and whether it was set; a code the shop cannot sell in
// is left alone.
func (db *DB) AdoptCurrency(ctx context.Context, actor, code string, fileProducts int) (shop string, set bool, err error) {
	err = db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cur, err := shopSettingsTx(tx)
		if err != nil {
			return err
		}
		shop = cur.Currency
		if cur.UpdatedAt != "" || code == cur.Currency || !slices.ContainsFunc(Currencies, func(c Currency) bool { return c.Code == code }) {
			return nil
		}
		var orders, products int64
		if err := tx.Model(&Order{}).Limit(1).Count(&orders).Error; err != nil {
			return err
		}
		if err := tx.Model(&Product{}).Count(&products).Error; err != nil {
			return err
		}
		if orders > 0 || products > int64(fileProducts) {
			return nil
		}
		next := cur
		next.Currency = code
		next.UpdatedAt = time.Now().UTC().Format(time.RFC3339)
		if err := putSetting(tx, settingShop, next); err != nil {
			return err
		}
		shop, set = code, true
		return audit(tx, actor, "settings.shop", next.Name, describeShopChanges(cur, next))
	})
	if err != nil {
		return "", false, fmt.Errorf("models: adopt currency: %w", err)
	}
	return shop, set, nil
}

// MarkDemoWorld records that the shop is the generated demo world, which
// shows a demo notice on every page.
func (db *DB) MarkDemoWorld(ctx context.Context) error {
	err := db.W.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&Setting{Key: settingShopDemo, Value: "1"}).Error
	if err != nil {
		return fmt.Errorf("models: mark demo world: %w", err)
	}
	return nil
}

func shopSettingsTx(tx *gorm.DB) (ShopSettings, error) {
	s := DefaultShopSettings()
	var row Setting
	err := tx.Where("key = ?", settingShop).First(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("models: read shop settings: %w", err)
	}
	if err := json.Unmarshal([]byte(row.Value), &s); err != nil {
		return s, fmt.Errorf("models: decode shop settings: %w", err)
	}
	return s, nil
}

func putSetting(tx *gorm.DB, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("models: encode setting %s: %w", key, err)
	}
	if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&Setting{Key: key, Value: string(b)}).Error; err != nil {
		return fmt.Errorf("models: store setting %s: %w", key, err)
	}
	return nil
}

// describeShopChanges names the fields that changed, for the audit log.
func describeShopChanges(a, b ShopSettings) string {
	var changed []string
	add := func(name string, x, y any) {
		if x != y {
			changed = append(changed, name)
		}
	}
	add("name", a.Name, b.Name)
	add("currency", a.Currency, b.Currency)
	add("number format", a.NumberFormat, b.NumberFormat)
	add("symbol position", a.SymbolAfter, b.SymbolAfter)
	add("time zone", a.TimeZone, b.TimeZone)
	add("contact email", a.ContactEmail, b.ContactEmail)
	add("contact phone", a.ContactPhone, b.ContactPhone)
	add("shipping text", a.ShippingText, b.ShippingText)
	add("returns text", a.ReturnsText, b.ReturnsText)
	add("footer text", a.FooterText, b.FooterText)
	if len(changed) == 0 {
		return "no changes"
	}
	return "changed " + strings.Join(changed, ", ")
}

// Logo is the shop's uploaded logo image.
type Logo struct {
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// MaxLogoBytes bounds an uploaded logo.
const MaxLogoBytes = 256 << 10

// logoTypes are the image types accepted as a logo. SVG is not: it can
// carry script, and the logo is served from the shop's own origin.
var logoTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// SetLogo stores a new logo (data == nil removes it), with an audit entry.
// The type is read from the bytes, not taken from the upload.
func (db *DB) SetLogo(ctx context.Context, actor string, data []byte) error {
	var logo *Logo
	if data != nil {
		if len(data) > MaxLogoBytes {
			return &ValidationError{Fields: map[string]string{"logo": fmt.Sprintf("The logo is %d KB; use an image of at most %d KB.", len(data)>>10, MaxLogoBytes>>10)}}
		}
		ct := http.DetectContentType(data)
		if !logoTypes[ct] {
			return &ValidationError{Fields: map[string]string{"logo": "Upload a PNG, JPEG, GIF or WebP image."}}
		}
		logo = &Logo{ContentType: ct, Data: data}
	}
	return db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		s, err := shopSettingsTx(tx)
		if err != nil {
			return err
		}
		action := "settings.logo_remove"
		if logo == nil {
			if err := tx.Where("key = ?", settingLogo).Delete(&Setting{}).Error; err != nil {
				return fmt.Errorf("models: remove logo: %w", err)
			}
			s.LogoVersion = ""
		} else {
			if err := putSetting(tx, settingLogo, logo); err != nil {
				return err
			}
			s.LogoVersion = fmt.Sprintf("%x", time.Now().UnixNano())
			action = "settings.logo"
		}
		if err := putSetting(tx, settingShop, s); err != nil {
			return err
		}
		return audit(tx, actor, action, s.Name, "")
	})
}

// ShopLogo returns the uploaded logo, or ErrNotFound.
func (db *DB) ShopLogo(ctx context.Context) (*Logo, error) {
	var row Setting
	if err := db.R.WithContext(ctx).Where("key = ?", settingLogo).First(&row).Error; err != nil {
		return nil, notFound(err, "find logo")
	}
	var l Logo
	if err := json.Unmarshal([]byte(row.Value), &l); err != nil {
		return nil, fmt.Errorf("models: decode logo: %w", err)
	}
	return &l, nil
}
