package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/shop"
	"storefront/templates"
)

func cartLines(items []models.CartItem) ([]templates.CartLine, int64) {
	var total int64
	lines := make([]templates.CartLine, 0, len(items))
	for i := range items {
		it := &items[i]
		p := &it.Product
		l := templates.CartLine{ProductID: p.ID, Title: p.Title, Brand: p.Brand, URL: ProductURL(p), Image: ImageURL(p),
			PriceCents: p.PriceCents, Quantity: it.Quantity, Stock: p.Stock, Available: p.InStock(),
			LineCents: p.PriceCents * int64(it.Quantity), SoldOut: p.Active && p.Stock <= 0,
			CompareAtCents: saleCompareAt(p), DiscountPercent: p.DiscountPercent()}
		total += l.LineCents
		lines = append(lines, l)
	}
	return lines, total
}

// otherOptions adds to each sold-out line the sizes or colours of its
// group that are in stock: a size sold out between the add and the
// checkout leaves the shopper one click from the next best.
func otherOptions(cat *Catalog, lines []templates.CartLine) {
	for i := range lines {
		l := &lines[i]
		p, ok := cat.Product(l.ProductID)
		if !l.SoldOut || !ok || p.GroupID == "" {
			continue
		}
		group := cat.Group(p.GroupID)
		labels := shop.GroupLabels(group)
		for j, q := range group {
			if q.ID != p.ID && q.InStock() {
				l.Others = append(l.Others, templates.Link{Label: labels[j], URL: ProductURL(q)})
			}
		}
	}
}

func (s *Server) cart(c echo.Context) error {
	items, err := s.db.CartLines(c.Request().Context(), userOf(c).Key())
	if err != nil {
		return err
	}
	// A visitor's cart is theirs too (see identify).
	c.Response().Header().Set("Cache-Control", "no-store")
	vm := templates.CartPage{Base: s.base(c, "Your cart")}
	vm.Lines, vm.TotalCents = cartLines(items)
	otherOptions(s.shop.Catalog(), vm.Lines)
	return render(c, http.StatusOK, templates.Cart(vm))
}

func formProductID(c echo.Context) (uint, error) {
	id, err := strconv.ParseUint(c.FormValue("product_id"), 10, 32)
	if err != nil || id == 0 {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "The form did not say which product.")
	}
	return uint(id), nil
}

// cartAdd adds a product to the cart and returns to the product page with
// a confirmation; a bad quantity is shown next to the form.
func (s *Server) cartAdd(c echo.Context) error {
	id, err := formProductID(c)
	if err != nil {
		return err
	}
	if err := s.allowCartWrite(c); err != nil {
		return err
	}
	qty, err := strconv.Atoi(c.FormValue("quantity"))
	if err != nil {
		qty = 0
	}
	ctx := c.Request().Context()
	p, err := s.db.ProductByID(ctx, id)
	if err != nil {
		return err
	}
	added, err := s.db.AddToCartCapped(ctx, userOf(c).Key(), id, qty)
	s.userChanged(userOf(c).Key())
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		s.flash(c, ve.Fields["quantity"])
		return c.Redirect(http.StatusSeeOther, ProductURL(p))
	}
	if err != nil {
		return err
	}
	slot := c.FormValue("slot")
	if !validSlotRef(slot) {
		slot = ""
	}
	s.track(c, models.EventAddToCart, id, slot, 0, "")
	if added.Added < qty {
		// The product page's field allows the whole stock, whatever the
		// cart already holds: say what went in instead of "Added".
		s.flash(c, fmt.Sprintf("Added %d of the %d “%s” you asked for: your cart now holds %d, all you can order.", added.Added, qty, p.Title, added.Line))
	} else {
		s.flash(c, "Added “"+p.Title+"” to your cart.")
	}
	return c.Redirect(http.StatusSeeOther, "/cart")
}

func (s *Server) cartUpdate(c echo.Context) error {
	id, err := formProductID(c)
	if err != nil {
		return err
	}
	if err := s.allowCartWrite(c); err != nil {
		return err
	}
	qty, err := strconv.Atoi(c.FormValue("quantity"))
	if err != nil {
		s.flash(c, "Enter the quantity as a number.")
		return c.Redirect(http.StatusSeeOther, "/cart")
	}
	err = s.db.SetCartQuantity(c.Request().Context(), userOf(c).Key(), id, qty)
	s.userChanged(userOf(c).Key())
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		s.flash(c, ve.Fields["quantity"])
		return c.Redirect(http.StatusSeeOther, "/cart")
	}
	if err != nil {
		return err
	}
	if qty == 0 {
		s.flash(c, "Removed from your cart.")
	} else {
		s.flash(c, "Cart updated.")
	}
	return c.Redirect(http.StatusSeeOther, "/cart")
}

// allowCartWrite refuses a cart change of a visitor who is not signed in
// once their address (or the visitor) has made as many this minute as it
// may have events recorded (--events-per-minute, counted apart from them).
// Each such change may store a cart line, kept 30 days, and a session for
// its message, kept an hour, and every request without a visitor cookie is
// a new visitor with a cart of its own: one client adding to cart under a
// fresh cookie each time stored 3,000 lines and 3,000 sessions in 7 s, a
// rate nothing bounded (docs/security.md, twenty-first attack). A
// signed-in shopper's cart is one per account, at most MaxCartLines.
func (s *Server) allowCartWrite(c echo.Context) error {
	u := userOf(c)
	if u.LoggedIn() || s.cartWrites.allow(c.RealIP(), u.Key()) {
		return nil
	}
	wait := max(s.cartWrites.wait(c.RealIP(), u.Key()), time.Second)
	refuseAttempt(c, wait)
	return echo.NewHTTPError(http.StatusTooManyRequests, waitMessage("Too many cart changes from your network in the last minute; nothing was changed.", wait))
}
