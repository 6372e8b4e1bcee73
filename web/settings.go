package web

import (
	"context"
	"net/http"
	"reflect"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

// settingsCache keeps the shop's settings in memory; every page shows them.
// Another instance's change is seen within shopTTL.
type settingsCache struct {
	mu       sync.Mutex
	settings models.ShopSettings
	loaded   time.Time
	// view is what templates show, made once per change of the settings;
	// gen counts those changes (cached pages are keyed by it).
	view     *templates.ShopView
	viewOf   models.ShopSettings
	viewRead time.Time // the read of the settings view was last checked against
	gen      uint64
}

const shopTTL = 5 * time.Second

// shopSettings returns the shop's settings, from memory when fresh. A
// failed read serves the previous settings (or the defaults).
func (s *Server) shopSettings(ctx context.Context) models.ShopSettings {
	st, _ := s.shopSettingsRead(ctx)
	return st
}

// shopSettingsRead is shopSettings with when they were read from the
// database (zero for the defaults, when nothing could be read yet).
func (s *Server) shopSettingsRead(ctx context.Context) (models.ShopSettings, time.Time) {
	s.settings.mu.Lock()
	defer s.settings.mu.Unlock()
	if !s.settings.loaded.IsZero() && time.Since(s.settings.loaded) < shopTTL {
		return s.settings.settings, s.settings.loaded
	}
	st, err := s.db.ShopSettings(ctx)
	if err != nil {
		s.log.Warn("shop settings unavailable", "err", err)
		if s.settings.loaded.IsZero() {
			return models.DefaultShopSettings(), time.Time{}
		}
		return s.settings.settings, s.settings.loaded
	}
	s.settings.settings, s.settings.loaded = st, time.Now()
	return st, s.settings.loaded
}

// shopChanged drops the cached settings after an admin saved them.
func (s *Server) shopChanged() {
	s.settings.mu.Lock()
	s.settings.loaded = time.Time{}
	s.settings.mu.Unlock()
}

// shopView turns the settings into what templates show.
func (s *Server) shopView(st models.ShopSettings) templates.ShopView {
	v := templates.ShopView{
		Name:         st.Name,
		Money:        templates.NewMoneyFormat(st.CurrencySymbol(), st.NumberFormat, st.SymbolAfter),
		Location:     st.Location(),
		ContactEmail: st.ContactEmail,
		ContactPhone: st.ContactPhone,
		FooterText:   st.FooterText,
		HasPolicies:  st.ShippingText != "" || st.ReturnsText != "",
	}
	if st.LogoVersion != "" {
		v.LogoURL = "/logo?v=" + st.LogoVersion
	}
	switch {
	case st.Demo:
		v.Notice = "A demo shop. Payments are simulated; nothing is charged."
	case s.payments.Simulated():
		v.Notice = "Payments are simulated; nothing is charged."
	}
	return v
}

// currentShopView returns the templates' view of the settings and its
// generation, rebuilt only when the settings changed.
func (s *Server) currentShopView(ctx context.Context) (templates.ShopView, uint64) {
	st, read := s.shopSettingsRead(ctx)
	s.settings.mu.Lock()
	defer s.settings.mu.Unlock()
	// Settings from the read the view was last checked against need no
	// comparison: every page asks, the settings are read every shopTTL.
	if s.settings.view != nil && !read.IsZero() && read.Equal(s.settings.viewRead) {
		return *s.settings.view, s.settings.gen
	}
	if s.settings.view == nil || !reflect.DeepEqual(s.settings.viewOf, st) {
		v := s.shopView(st)
		s.settings.view, s.settings.viewOf = &v, st
		s.settings.gen++
	}
	s.settings.viewRead = read
	return *s.settings.view, s.settings.gen
}

// ctxSettingsGen holds the settings generation a request's pages show.
const ctxSettingsGen = "settings-gen"

// withShop puts the shop's view into the request's context for templates.
func (s *Server) withShop(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		v, gen := s.currentShopView(r.Context())
		c.Set(ctxSettingsGen, gen)
		c.SetRequest(r.WithContext(templates.WithShop(r.Context(), v)))
		return next(c)
	}
}

// shopLogo serves the uploaded logo. Its address carries the logo's
// version, so browsers may keep it for good.
func (s *Server) shopLogo(c echo.Context) error {
	logo, err := s.db.ShopLogo(c.Request().Context())
	if err != nil {
		return err
	}
	h := c.Response().Header()
	if v := c.QueryParam("v"); v != "" && v == s.shopSettings(c.Request().Context()).LogoVersion {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("Content-Security-Policy", "default-src 'none'")
	return c.Blob(http.StatusOK, logo.ContentType, logo.Data)
}

// shippingReturns shows the merchant's shipping and returns texts.
func (s *Server) shippingReturns(c echo.Context) error {
	st := s.shopSettings(c.Request().Context())
	if st.ShippingText == "" && st.ReturnsText == "" {
		return echo.ErrNotFound
	}
	vm := templates.PoliciesPage{Base: s.base(c, "Shipping & returns"), Shipping: st.ShippingText, Returns: st.ReturnsText,
		ContactEmail: st.ContactEmail, ContactPhone: st.ContactPhone}
	return render(c, http.StatusOK, templates.Policies(vm))
}
