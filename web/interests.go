package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/recommender"
	"storefront/templates"
)

// interestsHistory is how many recent events the interests page reads.
const interestsHistory = 300

// interests shows what the shop infers the shopper likes, with the
// evidence, and the controls to remove an interest, remove an item from the
// history or start over.
func (s *Server) interests(c echo.Context) error {
	ctx := c.Request().Context()
	u := userOf(c)
	// Include what this visit tracked a moment ago.
	if err := s.events.Flush(ctx); err != nil {
		return err
	}
	sh, err := s.db.ShopperByID(ctx, u.ShopperID)
	if err != nil {
		return err
	}
	hist, err := s.db.ShopperHistory(ctx, u.Key(), interestsHistory)
	if err != nil {
		return err
	}
	cat := s.shop.Catalog()
	now := time.Now()
	vm := templates.InterestsPage{Base: s.base(c, "What we think you like"), OptOut: sh.OptOut}

	touches := make([]recommender.Touch, 0, len(hist))
	views := map[string]templates.HistoryView{} // per product: its strongest action
	var order []string                          // products, most recent first
	for _, h := range hist {
		et, err := recommender.ParseEventType(h.Type)
		if err != nil {
			continue
		}
		slug := ""
		p, ok := cat.Product(h.ProductID)
		if ok {
			if n := cat.CategoryOf(p); n != nil {
				slug = n.Slug
			}
		}
		touches = append(touches, recommender.Touch{Item: recommender.Item{ID: h.ExternalID, Title: h.Title, Brand: h.Brand,
			Category: slug, PriceCents: h.PriceCents}, Type: et, Time: h.CreatedAt})
		hv := templates.HistoryView{ProductID: h.ProductID, Title: h.Title, Action: actionLabel(et), When: templates.Ago(h.CreatedAt, now)}
		if ok {
			hv.URL, hv.Image = ProductURL(p), ImageURL(p)
		}
		prev, seen := views[h.ExternalID]
		if !seen {
			order = append(order, h.ExternalID)
		}
		if !seen || strongerAction(hv.Action, prev.Action) {
			views[h.ExternalID] = hv
		}
	}
	for _, ext := range order[:min(len(order), maxHistoryShown)] {
		vm.History = append(vm.History, views[ext])
	}
	hidden := map[string]bool{}
	for _, h := range models.HiddenInterestList(sh.HiddenInterests) {
		hidden[h] = true
		hv := templates.HiddenInterest{Value: h}
		if slug, ok := strings.CutPrefix(h, "category:"); ok {
			hv.Name = slug
			if n, ok := cat.CategoryBySlug(slug); ok {
				hv.Name = n.Name
			}
		} else {
			hv.Name = strings.TrimPrefix(h, "brand:")
		}
		vm.Hidden = append(vm.Hidden, hv)
	}
	inferred := recommender.InferInterests(touches)
	view := func(kind string, it recommender.Interest) templates.InterestView {
		iv := templates.InterestView{Kind: kind, Value: it.Name, Name: it.Name, Percent: max(1, int(it.Share*100+0.5))}
		if kind == "category" {
			if n, ok := cat.CategoryBySlug(it.Name); ok {
				iv.Name, iv.URL = n.Name, "/c/"+n.Slug
			}
		}
		for _, e := range it.Evidence {
			iv.Evidence = append(iv.Evidence, views[e.Item.ID])
		}
		return iv
	}
	for _, it := range inferred.Categories {
		if !hidden["category:"+it.Name] {
			vm.Categories = append(vm.Categories, view("category", it))
		}
	}
	for _, it := range inferred.Brands {
		if !hidden["brand:"+it.Name] {
			vm.Brands = append(vm.Brands, view("brand", it))
		}
	}
	if pb := inferred.Price; pb.HighCents > 0 {
		vm.PriceBand = templates.Price(c.Request().Context(), pb.LowCents) + " to " + templates.Price(c.Request().Context(), pb.HighCents)
		if pb.LowCents == pb.HighCents {
			vm.PriceBand = "about " + templates.Price(c.Request().Context(), pb.LowCents)
		}
		vm.PriceItems = pb.Items
	}
	return render(c, http.StatusOK, templates.Interests(vm))
}

// maxHistoryShown bounds the history list on the interests page.
const maxHistoryShown = 40

func actionLabel(t recommender.EventType) string {
	switch t {
	case recommender.Purchase:
		return "Bought"
	case recommender.AddToCart:
		return "Added to cart"
	}
	return "Viewed"
}

var actionRank = map[string]int{"Viewed": 0, "Added to cart": 1, "Bought": 2}

func strongerAction(a, b string) bool { return actionRank[a] > actionRank[b] }

// interestRemove forgets the events behind one category or brand interest.
func (s *Server) interestRemove(c echo.Context) error {
	kind, value := c.FormValue("kind"), strings.TrimSpace(c.FormValue("value"))
	var f models.Forget
	var name string
	switch kind {
	case "category":
		n, ok := s.shop.Catalog().CategoryBySlug(value)
		if !ok {
			return echo.NewHTTPError(http.StatusBadRequest, "The form named a category that does not exist.")
		}
		f.CategoryIDs, f.Hide, name = n.Descendants, "category:"+n.Slug, n.Name
	case "brand":
		if value == "" {
			return echo.NewHTTPError(http.StatusBadRequest, "The form did not say which brand.")
		}
		f.Brand, f.Hide, name = value, "brand:"+value, value
	default:
		return echo.NewHTTPError(http.StatusBadRequest, "The form did not say whether to remove a category or a brand.")
	}
	n, err := s.forget(c, f)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return echo.NewHTTPError(http.StatusBadRequest, "The form named a brand no product has.")
	}
	if errors.Is(err, models.ErrTooManyHiddenInterests) {
		s.flash(c, fmt.Sprintf("You have removed %d interests, as many as we keep. Show one of them again before removing %s.",
			models.MaxHiddenInterests, name))
		return c.Redirect(http.StatusSeeOther, InterestsPath)
	}
	if err != nil {
		return err
	}
	s.flash(c, "Removed "+name+" from your interests: "+templates.Plural(int(n), "event", "events")+
		" forgotten, and rows picked for you leave it out until you show it again.")
	return c.Redirect(http.StatusSeeOther, InterestsPath)
}

// interestShow stops hiding an interest removed earlier.
func (s *Server) interestShow(c echo.Context) error {
	value := c.FormValue("value")
	if !strings.HasPrefix(value, "category:") && !strings.HasPrefix(value, "brand:") {
		return echo.NewHTTPError(http.StatusBadRequest, "The form did not say which interest to show again.")
	}
	err := s.db.ShowInterest(c.Request().Context(), userOf(c).ShopperID, value)
	s.userChanged(userOf(c).Key())
	if err != nil {
		return err
	}
	s.flash(c, "Rows picked for you may include it again.")
	return c.Redirect(http.StatusSeeOther, InterestsPath)
}

// interestForgetItem removes one product from the shopper's history.
func (s *Server) interestForgetItem(c echo.Context) error {
	id, err := strconv.ParseUint(c.FormValue("product_id"), 10, 32)
	if err != nil || id == 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "The form did not say which product.")
	}
	title := "The product"
	if p, ok := s.shop.Catalog().Product(uint(id)); ok {
		title = p.Title
	}
	if _, err := s.forget(c, models.Forget{ProductID: uint(id)}); err != nil {
		return err
	}
	s.flash(c, title+" is no longer in your history.")
	return c.Redirect(http.StatusSeeOther, InterestsPath)
}

// interestReset forgets the shopper's whole behaviour history.
func (s *Server) interestReset(c echo.Context) error {
	if _, err := s.forget(c, models.Forget{}); err != nil {
		return err
	}
	s.flash(c, "We have forgotten your history. Your homepage now starts afresh.")
	return c.Redirect(http.StatusSeeOther, InterestsPath)
}

// forget deletes history after writing what is still queued, so an event
// tracked a moment ago is deleted too.
func (s *Server) forget(c echo.Context, f models.Forget) (int64, error) {
	ctx := c.Request().Context()
	if err := s.events.Flush(ctx); err != nil {
		return 0, err
	}
	n, err := s.db.ForgetHistory(ctx, userOf(c).ShopperID, f)
	s.userChanged(userOf(c).Key())
	return n, err
}
