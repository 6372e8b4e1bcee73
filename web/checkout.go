package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/payment"
	"storefront/templates"
)

func (s *Server) checkoutPage(c echo.Context, addr templates.AddressForm, errs map[string]string, msg string, status int) error {
	return s.renderCheckout(c, addr, errs, msg, false, status)
}

// retryCheckout is the checkout page after a payment that placed no order
// (voided, declined): the form gets a new key, since the provider answers
// the old one with its first answer, and the shop refuses a voided one.
func (s *Server) retryCheckout(c echo.Context, addr templates.AddressForm, msg string, cartFix bool, status int) error {
	c.Set(ctxNewCheckoutKey, true)
	return s.renderCheckout(c, addr, nil, msg, cartFix, status)
}

// ctxNewCheckoutKey marks a checkout page rendered with a new key.
const ctxNewCheckoutKey = "new_checkout_key"

// ctxCheckoutAgain marks the checkout page answering an order the shop
// was too busy to place: its button places it again.
const ctxCheckoutAgain = "checkout_again"

// renderCheckout is the checkout page; cartFix says its message is
// fixed in the cart (a product sold out or short), so it links there.
func (s *Server) renderCheckout(c echo.Context, addr templates.AddressForm, errs map[string]string, msg string, cartFix bool, status int) error {
	u := userOf(c)
	items, err := s.db.CartLines(c.Request().Context(), u.Key())
	if err != nil {
		return err
	}
	if len(items) == 0 {
		s.flash(c, "Your cart is empty.")
		return c.Redirect(http.StatusSeeOther, "/cart")
	}
	vm := templates.CheckoutPage{Base: s.base(c, "Checkout"), Address: addr, Errors: errs, Error: msg,
		CartFix: cartFix && msg != "", PaymentSimulated: s.payments.Simulated(), PaymentNote: "You pay with " + s.payments.Name() + " when you place the order."}
	vm.Lines, vm.TotalCents = cartLines(items)
	vm.CartDigest = models.CartDigest(items)
	vm.Again, _ = c.Get(ctxCheckoutAgain).(bool)
	// One key per checkout form: submitting it twice finds the first order.
	vm.IdempotencyKey = c.FormValue("idempotency_key")
	if fresh, _ := c.Get(ctxNewCheckoutKey).(bool); vm.IdempotencyKey == "" || fresh {
		vm.IdempotencyKey = randomToken(16)
	}
	return render(c, status, templates.Checkout(vm))
}

func (s *Server) checkoutForm(c echo.Context) error {
	u := userOf(c)
	var addr templates.AddressForm
	if sh, err := s.db.ShopperByID(c.Request().Context(), u.ShopperID); err == nil {
		addr.Name = sh.Name
		if sh.Email != nil {
			addr.Email = *sh.Email
		}
	}
	// A returning shopper's last address is filled in.
	if last, err := s.db.LastAddressOf(c.Request().Context(), u.ShopperID); err != nil {
		return err
	} else if last != nil {
		addr.Name, addr.Street, addr.City, addr.Postcode, addr.Country = last.Name, last.Street, last.City, last.Postcode, last.Country
		if addr.Email == "" {
			addr.Email = last.Email
		}
	}
	items, err := s.db.CartLines(c.Request().Context(), u.Key())
	if err != nil {
		return err
	}
	return s.renderCheckout(c, addr, nil, cartProblem(items), true, http.StatusOK)
}

// cartProblem is what keeps the cart from being ordered as it is, said
// when the checkout opens rather than only once the order is placed: a
// product no longer sold, or more in the cart than is left.
func cartProblem(items []models.CartItem) string {
	// Every line that is in the way is said at once: fixing one and
	// reloading to be told of the next took a round trip per line.
	var remove, change []string
	for i := range items {
		p := &items[i].Product
		oos := models.OutOfStockError{Title: p.Title, Available: p.Stock, NoLongerSold: !p.Active}
		switch {
		case !p.Active || p.Stock <= 0:
			remove = append(remove, oos.Error())
		case items[i].Quantity > p.Stock:
			change = append(change, oos.Error())
		}
	}
	var msg []string
	if len(remove) > 0 {
		msg = append(msg, "Sorry, "+strings.Join(remove, "; ")+". Remove "+plural(len(remove), "it", "them")+" from your cart.")
	}
	if len(change) > 0 {
		msg = append(msg, "Sorry, "+strings.Join(change, "; ")+". Change the "+plural(len(change), "quantity", "quantities")+" in your cart.")
	}
	return strings.Join(msg, " ")
}

// plural is one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (s *Server) checkoutSubmit(c echo.Context) error {
	u := userOf(c)
	form := templates.AddressForm{Name: c.FormValue("name"), Email: c.FormValue("email"), Street: c.FormValue("street"),
		City: c.FormValue("city"), Postcode: c.FormValue("postcode"), Country: c.FormValue("country")}
	addr := models.Address{Name: form.Name, Email: form.Email, Street: form.Street, City: form.City,
		Postcode: form.Postcode, Country: form.Country}
	if errs := addr.Validate(); len(errs) > 0 {
		return s.checkoutPage(c, form, errs, "Please correct the marked fields.", http.StatusUnprocessableEntity)
	}
	key := c.FormValue("idempotency_key")
	if len(key) < 16 || len(key) > 64 {
		return echo.NewHTTPError(http.StatusBadRequest, "The checkout form is out of date. Reload it and try again.")
	}
	order, err := s.pay(c.Request().Context(), u, key, c.FormValue("cart_digest"), addr)
	s.userChanged(u.Key())
	if err != nil {
		// The same form sent twice at once (a double click reaching two
		// instances) may have placed the order through the other
		// submission while this one found the cart emptied, its last
		// unit sold or the database busy: the shopper is shown their
		// order, not "sold out" or "your cart is empty".
		lookup, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), 2*time.Second)
		placed, lerr := s.db.OrderByKey(lookup, u.ShopperID, key)
		cancel()
		if lerr == nil {
			return c.Redirect(http.StatusSeeOther, "/orders/"+strconv.FormatUint(uint64(placed.ID), 10)+"?placed=1")
		}
	}
	var oos *models.OutOfStockError
	var declined *payment.DeclinedError
	switch {
	case errors.As(err, &oos):
		fix := "Change the quantity in your cart."
		if oos.NoLongerSold || oos.Available <= 0 {
			fix = "Remove it from your cart."
		}
		return s.retryCheckout(c, form, "Sorry, "+oos.Error()+". "+fix, true, http.StatusConflict)
	case errors.Is(err, models.ErrEmptyCart):
		s.flash(c, "Your cart is empty.")
		return c.Redirect(http.StatusSeeOther, "/cart")
	case errors.Is(err, models.ErrCartChanged):
		return s.retryCheckout(c, form, "Your cart changed since this page was shown (a price, a quantity or a product); nothing was charged. Check the order and its total below and place it again.", false, http.StatusConflict)
	case errors.Is(err, models.ErrTotalChanged):
		return s.retryCheckout(c, form, "A price in your cart changed while you paid; nothing was charged. Check the total and place the order again.", false, http.StatusConflict)
	case errors.Is(err, models.ErrPaymentVoided):
		return s.retryCheckout(c, form, "This checkout form was already used for a payment that did not go through; nothing was charged. Check your cart and place the order again.", false, http.StatusConflict)
	case errors.As(err, &declined):
		return s.retryCheckout(c, form, "Your payment was declined: "+declined.Reason+". Nothing was charged.", false, http.StatusPaymentRequired)
	case models.IsBusy(err) || errors.Is(err, context.DeadlineExceeded):
		// Others held the products' rows (or the database) for longer
		// than this request could wait; the order gave up in time to say
		// so, its payment voided.
		s.log.Warn("checkout answered busy", "err", err)
		// The answer has time of its own: voiding the payment may have
		// used what the request had left.
		answer, cancelAnswer := context.WithTimeout(context.WithoutCancel(c.Request().Context()), 5*time.Second)
		defer cancelAnswer()
		c.SetRequest(c.Request().WithContext(answer))
		c.Response().Header().Set("Retry-After", "2")
		c.Set(ctxCheckoutAgain, true)
		return s.retryCheckout(c, form, checkoutBusy, false, http.StatusServiceUnavailable)
	case err != nil:
		return err
	}
	// Stock fell: the next page anywhere in the shop shows it.
	ids := make([]uint, 0, len(order.Items))
	for _, it := range order.Items {
		ids = append(ids, it.ProductID)
	}
	if err := s.shop.ProductsChanged(c.Request().Context(), ids...); err != nil {
		s.log.Warn("catalog not patched after an order; it reloads shortly", "err", err)
	}
	return c.Redirect(http.StatusSeeOther, "/orders/"+strconv.FormatUint(uint64(order.ID), 10)+"?placed=1")
}

// checkoutBusy is the checkout page's answer when the order could not be
// placed in the time a request has (many shoppers buying the same
// products at once on a slow moment).
const checkoutBusy = "So many shoppers are checking out right now that your order could not be placed in time. Nothing was ordered and nothing was charged: place it again."

// pay authorizes the cart's total with the payment provider, places the
// order, and captures the payment once the order is stored. When the order
// cannot be placed the authorization is voided. A repeated form finds its
// first order and captures nothing more. A cart that costs nothing is
// ordered without a payment. The order is placed only from the cart the
// checkout page showed (digest, models.CartDigest): a price the merchant
// changed, or a line changed in another tab, since the page was shown
// sends the shopper back to it, nothing asked of the provider.
func (s *Server) pay(ctx context.Context, u User, key, digest string, addr models.Address) (*models.Order, error) {
	items, err := s.db.CartLines(ctx, u.Key())
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		// A repeated form after the order emptied the cart: find that order.
		order, _, err := s.db.PlaceOrder(ctx, u.Key(), u.ShopperID, key, addr)
		return order, err
	}
	// Sold out since the checkout page: refused before the provider is
	// asked, so the shopper's card holds nothing for it.
	for _, l := range items {
		if short := l.Short(); short != nil {
			return nil, short
		}
	}
	if models.CartDigest(items) != digest {
		return nil, models.ErrCartChanged
	}
	_, total := cartLines(items)
	if total == 0 {
		// Nothing to pay (free products): no provider takes a charge of
		// zero, so the order is placed without one.
		order, _, err := s.db.PlaceOrderPaid(ctx, u.Key(), u.ShopperID, key, addr, models.Payment{Free: true,
			Arm: s.shop.Assign(ctx, u.VisitorID).Label, CartDigest: digest})
		return order, err
	}
	// A form whose payment was voided is used up: the provider would
	// answer its key with the voided authorization again.
	if voided, err := s.db.PaymentVoided(ctx, key); err != nil || voided {
		if err == nil {
			err = models.ErrPaymentVoided
		}
		return nil, err
	}
	shop := s.shopSettings(ctx)
	auth, err := s.payments.Authorize(ctx, payment.Charge{IdempotencyKey: key, AmountCents: total, Currency: shop.Currency,
		Email: addr.Email, Description: "Order at " + shop.Name})
	if err != nil {
		return nil, err
	}
	order, created, err := s.db.PlaceOrderPaid(ctx, u.Key(), u.ShopperID, key, addr, models.Payment{Ref: auth.ID, AuthorizedCents: auth.AmountCents,
		Arm: s.shop.Assign(ctx, u.VisitorID).Label, CartDigest: digest})
	if err != nil {
		s.void(context.WithoutCancel(ctx), u.Key(), key, auth)
		return nil, err
	}
	if created {
		if err := s.payments.Capture(context.WithoutCancel(ctx), auth); err != nil {
			// The order stands and the money is held; the merchant captures
			// it from the provider's dashboard.
			s.log.Error("payment not captured", "order_id", order.ID, "payment_ref", auth.ID, "err", err)
		}
	}
	return order, nil
}

// void voids the authorization of a checkout that placed no order, once
// its key is recorded as used up (models.VoidPayment): a provider answers a
// repeated key with the authorization it gave first, so an order placed
// later under that key would stand on money no longer held. When an order
// holds the key after all (the same form submitted twice at once), the
// authorization is that order's and is kept.
func (s *Server) void(ctx context.Context, owner, key string, auth payment.Authorization) {
	void, err := s.db.VoidPayment(ctx, owner, key)
	if err != nil {
		// Unrecorded, the key is refused by nothing; the authorization is
		// still voided, so an order under it would find no money.
		s.log.Error("voided payment not recorded", "payment_ref", auth.ID, "err", err)
	} else if !void {
		return
	}
	if err := s.payments.Void(ctx, auth); err != nil {
		s.log.Error("payment not voided", "payment_ref", auth.ID, "err", err)
	}
}

func orderView(o *models.Order) templates.OrderView {
	v := templates.OrderView{ID: o.ID, CreatedAt: o.CreatedAt, Status: o.Status, TotalCents: o.TotalCents}
	if o.City != "" {
		v.ShipTo = o.Name + ", " + o.Street + ", " + o.Postcode + " " + o.City + ", " + o.Country
	}
	for _, it := range o.Items {
		v.Lines = append(v.Lines, templates.CartLine{ProductID: it.ProductID, Title: it.Title, PriceCents: it.PriceCents,
			Quantity: it.Quantity, LineCents: it.PriceCents * int64(it.Quantity), URL: "/p/" + strconv.FormatUint(uint64(it.ProductID), 10)})
	}
	return v
}

func (s *Server) orders(c echo.Context) error {
	os, err := s.db.OrdersOf(c.Request().Context(), userOf(c).ShopperID)
	if err != nil {
		return err
	}
	vm := templates.OrdersPage{Base: s.base(c, "Your orders")}
	for i := range os {
		vm.Orders = append(vm.Orders, orderView(&os[i]))
	}
	return render(c, http.StatusOK, templates.Orders(vm))
}

func (s *Server) order(c echo.Context) error {
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil {
		return echo.ErrNotFound
	}
	o, err := s.db.OrderOf(c.Request().Context(), userOf(c).ShopperID, uint(id))
	if err != nil {
		return err
	}
	vm := templates.OrderPage{Base: s.base(c, "Order #"+c.Param("id")), Order: orderView(o), JustPlaced: c.QueryParam("placed") == "1"}
	return render(c, http.StatusOK, templates.Order(vm))
}
