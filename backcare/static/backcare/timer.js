/* backcare's exercise timer: counts the holds and the rests of a dose, out loud for screen readers.

   Progressive enhancement: the page says the dose in words, and the timer's box is `hidden`
   until this script shows it. No inline script and no eval, so it runs under a strict
   Content-Security-Policy. Each timer is a `[data-timer]` element whose data attributes give the
   dose (sets, reps, hold, rest, per-side, relax) and the words to show (data-text-*), so every
   word is translated on the server. htmx swaps in new cards: they are set up on `htmx:load`.

   Two kinds of dose:
   - with a hold: each repetition is a hold, a short relax between repetitions, both sides when
     the dose is per side, and the rest between sets;
   - without a hold (repetitions at the person's own pace): the timer counts the rest between
     sets each time Start is pressed. */
(function () {
  "use strict";

  function number(el, name) {
    var value = parseInt(el.getAttribute("data-" + name), 10);
    return isNaN(value) || value < 0 ? 0 : value;
  }

  function text(el, name, values) {
    var words = el.getAttribute("data-text-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      words = words.split("{" + key + "}").join(String(values[key]));
    });
    return words;
  }

  function clock(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  /* The phases of one session: [{label, say, seconds}]. */
  function phases(el) {
    var sets = Math.max(1, number(el, "sets"));
    var reps = Math.max(1, number(el, "reps"));
    var hold = number(el, "hold");
    var rest = number(el, "rest");
    var relax = number(el, "relax");
    var sides = el.getAttribute("data-per-side") === "1" ? 2 : 1;
    var list = [];
    if (!hold) {
      if (rest) {
        list.push({ label: text(el, "rest"), say: text(el, "rest-for", { seconds: rest }), seconds: rest });
      }
      return list;
    }
    for (var set = 1; set <= sets; set++) {
      for (var side = 1; side <= sides; side++) {
        for (var rep = 1; rep <= reps; rep++) {
          var where = [];
          if (sets > 1) where.push(text(el, "set", { set: set, sets: sets }));
          if (sides > 1) where.push(text(el, side === 1 ? "side-1" : "side-2"));
          where.push(text(el, "rep", { rep: rep, reps: reps }));
          var label = where.join(", ");
          list.push({
            label: label + ": " + text(el, "hold"),
            say: label + ": " + text(el, "hold-for", { seconds: hold }),
            seconds: hold
          });
          var last = rep === reps && side === sides;
          if (!last && relax) {
            list.push({ label: text(el, "relax"), say: text(el, "relax"), seconds: relax });
          }
        }
      }
      if (set < sets && rest) {
        list.push({ label: text(el, "rest"), say: text(el, "rest-for", { seconds: rest }), seconds: rest });
      }
    }
    return list;
  }

  function Timer(el) {
    this.el = el;
    this.phaseEl = el.querySelector("[data-timer-phase]");
    this.clockEl = el.querySelector("[data-timer-clock]");
    this.liveEl = el.querySelector("[data-timer-live]");
    this.startButton = el.querySelector("[data-timer-start]");
    this.pauseButton = el.querySelector("[data-timer-pause]");
    this.resetButton = el.querySelector("[data-timer-reset]");
    this.phases = phases(el);
    this.reset(false);
    el.hidden = false;
  }

  Timer.prototype.say = function (words) {
    this.liveEl.textContent = "";
    var live = this.liveEl;
    // A fresh text node after a tick, so screen readers announce a repeated phrase again.
    window.setTimeout(function () { live.textContent = words; }, 50);
  };

  Timer.prototype.show = function () {
    var phase = this.phases[this.index];
    this.phaseEl.textContent = phase ? phase.label : text(this.el, "done");
    this.clockEl.textContent = clock(Math.max(0, Math.ceil(this.left)));
    this.startButton.disabled = this.running;
    this.pauseButton.disabled = !this.running;
  };

  Timer.prototype.reset = function (announce) {
    this.stop();
    this.index = 0;
    this.left = this.phases.length ? this.phases[0].seconds : 0;
    this.show();
    this.phaseEl.textContent = text(this.el, "ready");
    if (announce) this.say(text(this.el, "ready"));
  };

  Timer.prototype.start = function () {
    if (this.running || !this.phases.length) return;
    if (this.index >= this.phases.length) this.reset(false);
    this.running = true;
    this.ends = Date.now() + this.left * 1000;
    if (this.left === this.phases[this.index].seconds) this.say(this.phases[this.index].say);
    var self = this;
    this.tick = window.setInterval(function () { self.step(); }, 250);
    this.show();
  };

  Timer.prototype.stop = function () {
    if (this.tick) window.clearInterval(this.tick);
    this.tick = null;
    this.running = false;
  };

  Timer.prototype.pause = function () {
    if (!this.running) return;
    this.left = Math.max(0, (this.ends - Date.now()) / 1000);
    this.stop();
    this.show();
    this.say(text(this.el, "paused"));
  };

  Timer.prototype.step = function () {
    if (!document.body.contains(this.el)) {  // its card was swapped out by htmx
      this.stop();
      return;
    }
    this.left = (this.ends - Date.now()) / 1000;
    if (this.left > 0) {
      this.show();
      return;
    }
    this.index += 1;
    if (this.index >= this.phases.length) {
      this.stop();
      this.left = 0;
      this.show();
      this.say(text(this.el, "done"));
      return;
    }
    var phase = this.phases[this.index];
    this.left = phase.seconds;
    this.ends = Date.now() + phase.seconds * 1000;
    this.say(phase.say);
    this.show();
  };

  function setUp(root) {
    var timers = (root || document).querySelectorAll("[data-timer]");
    Array.prototype.forEach.call(timers, function (el) {
      if (!el.backcareTimer) el.backcareTimer = new Timer(el);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button") : null;
    if (!button) return;
    var el = button.closest("[data-timer]");
    if (!el || !el.backcareTimer) return;
    if (button.hasAttribute("data-timer-start")) el.backcareTimer.start();
    else if (button.hasAttribute("data-timer-pause")) el.backcareTimer.pause();
    else if (button.hasAttribute("data-timer-reset")) el.backcareTimer.reset(true);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
})();
