package web

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

// commonTimeZones are offered in the time zone field; any IANA name works.
var commonTimeZones = []string{"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
	"Europe/Amsterdam", "Europe/Madrid", "Europe/Rome", "Europe/Zurich", "Europe/Stockholm", "Europe/Warsaw", "Europe/Athens",
	"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto", "America/Mexico_City",
	"America/Sao_Paulo", "Asia/Kolkata", "Asia/Singapore", "Asia/Hong_Kong", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
	"Africa/Johannesburg"}

func (s *Server) adminSettings(c echo.Context) error {
	st, err := s.db.ShopSettings(c.Request().Context())
	if err != nil {
		return err
	}
	return s.renderSettings(c, http.StatusOK, st, settingsForm(st), nil)
}

func settingsForm(st models.ShopSettings) templates.AdminSettingsForm {
	return templates.AdminSettingsForm{Name: st.Name, Currency: st.Currency, NumberFormat: st.NumberFormat, SymbolAfter: st.SymbolAfter,
		TimeZone: st.TimeZone, ContactEmail: st.ContactEmail, ContactPhone: st.ContactPhone, ShippingText: st.ShippingText,
		ReturnsText: st.ReturnsText, FooterText: st.FooterText}
}

// renderSettings shows the form; saved holds the stored settings, used for
// the examples and the logo.
func (s *Server) renderSettings(c echo.Context, status int, saved models.ShopSettings, form templates.AdminSettingsForm, errs map[string]string) error {
	view := s.shopView(saved)
	vm := templates.AdminSettingsPage{AdminBase: s.adminBase(c, "Shop settings", "settings"), Form: form, Errors: errs,
		TimeZones: commonTimeZones, LogoURL: view.LogoURL, Example: view.Money.Format(123456),
		LocalNow: time.Now().In(saved.Location()).Format("Jan 2, 2006 15:04 MST")}
	for _, cur := range models.Currencies {
		vm.Currencies = append(vm.Currencies, templates.Option{Value: cur.Code, Label: cur.Code + " — " + cur.Name + " (" + cur.Symbol + ")"})
	}
	for _, nf := range models.NumberFormats {
		vm.NumberFormats = append(vm.NumberFormats, templates.Option{Value: nf, Label: nf})
	}
	if t, err := time.Parse(time.RFC3339, saved.UpdatedAt); err == nil {
		vm.UpdatedAt = t.In(saved.Location()).Format("Jan 2, 2006 15:04 MST")
	}
	return render(c, status, templates.AdminSettings(vm))
}

func (s *Server) adminSettingsSave(c echo.Context) error {
	ctx := c.Request().Context()
	saved, err := s.db.ShopSettings(ctx)
	if err != nil {
		return err
	}
	form := templates.AdminSettingsForm{Name: c.FormValue("name"), Currency: c.FormValue("currency"), NumberFormat: c.FormValue("number_format"),
		SymbolAfter: c.FormValue("symbol_after") == "1", TimeZone: c.FormValue("time_zone"), ContactEmail: c.FormValue("contact_email"),
		ContactPhone: c.FormValue("contact_phone"), ShippingText: c.FormValue("shipping_text"), ReturnsText: c.FormValue("returns_text"),
		FooterText: c.FormValue("footer_text")}
	next := saved
	next.Name, next.Currency, next.NumberFormat, next.SymbolAfter, next.TimeZone = form.Name, form.Currency, form.NumberFormat, form.SymbolAfter, form.TimeZone
	next.ContactEmail, next.ContactPhone, next.ShippingText, next.ReturnsText, next.FooterText = form.ContactEmail, form.ContactPhone, form.ShippingText, form.ReturnsText, form.FooterText
	err = s.db.SaveShopSettings(ctx, staffName(c), next)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return s.renderSettings(c, http.StatusUnprocessableEntity, saved, form, ve.Fields)
	}
	if err != nil {
		return err
	}
	s.shopChanged()
	s.flash(c, "Settings saved. Every page now shows them.")
	return c.Redirect(http.StatusSeeOther, "/admin/settings")
}

// adminLogoUpload stores an uploaded logo (bounded in size, type read from
// the bytes).
func (s *Server) adminLogoUpload(c echo.Context) error {
	ctx := c.Request().Context()
	fail := func(msg string) error {
		saved, err := s.db.ShopSettings(ctx)
		if err != nil {
			return err
		}
		return s.renderSettings(c, http.StatusUnprocessableEntity, saved, settingsForm(saved), map[string]string{"logo": msg})
	}
	fh, err := c.FormFile("logo")
	if err != nil {
		return fail("Choose an image file to upload.")
	}
	if fh.Size > models.MaxLogoBytes {
		return fail("The image is too large; use one of at most 256 KB.")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, models.MaxLogoBytes+1))
	if err != nil {
		return err
	}
	err = s.db.SetLogo(ctx, staffName(c), data)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return fail(ve.Fields["logo"])
	}
	if err != nil {
		return err
	}
	s.shopChanged()
	s.flash(c, "Logo uploaded.")
	return c.Redirect(http.StatusSeeOther, "/admin/settings")
}

func (s *Server) adminLogoRemove(c echo.Context) error {
	if err := s.db.SetLogo(c.Request().Context(), staffName(c), nil); err != nil {
		return err
	}
	s.shopChanged()
	s.flash(c, "Logo removed.")
	return c.Redirect(http.StatusSeeOther, "/admin/settings")
}
