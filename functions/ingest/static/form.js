// Progressive enhancement of the survey form. Without this script the form works as it is
// served: in parts, with skip logic decided by the server. With it, every part is on one
// page, questions that do not apply are hidden (and disabled, so they are not sent) as the
// answers change, and a proof of work is solved in a worker so the response counts as
// verified. Nothing here is needed to answer.
(function () {
  'use strict';
  var summary = document.querySelector('[data-error-summary]');
  if (summary) summary.focus();

  var form = document.getElementById('survey');
  if (!form || !window.FormData || !form.elements._mode) return;
  var each = function (selector, fn) {
    Array.prototype.forEach.call(form.querySelectorAll(selector), fn);
  };

  form.elements._mode.value = 'one';
  each('[data-page]', function (section) { section.hidden = false; });
  each('[data-part]', function (heading) { heading.hidden = true; });
  each('button[name="_go"]', function (button) { button.hidden = true; });
  each('[data-final-label]', function (button) {
    button.textContent = button.getAttribute('data-final-label');
  });

  function setShown(question, shown) {
    question.hidden = !shown;
    Array.prototype.forEach.call(question.querySelectorAll('input, select'), function (field) {
      field.disabled = !shown;
    });
  }

  // Questions come in survey order and conditions only look back, so one pass suffices.
  function applyConditions() {
    var shown = {};
    each('[data-question]', function (question) {
      var id = question.getAttribute('data-question');
      var parent = question.getAttribute('data-show-if');
      var show = true;
      if (parent) {
        var anyOf = question.getAttribute('data-any-of').split(' ');
        var given = new FormData(form).getAll(parent);
        show = shown[parent] === true && given.some(function (v) { return anyOf.indexOf(v) >= 0; });
      }
      shown[id] = show;
      if (question.hidden === show) setShown(question, show);
    });
  }
  form.addEventListener('change', applyConditions);
  applyConditions();

  var pow = form.elements._pow;
  var solving = null;
  var expiresAt = 0;
  function solve() {
    pow.value = '';
    solving = fetch(form.getAttribute('data-challenge'), { credentials: 'omit', cache: 'no-store' })
      .then(function (response) {
        if (!response.ok) throw new Error('challenge ' + response.status);
        return response.json();
      })
      .then(function (c) {
        var expires = /[?&]expires=(\d+)/.exec(c.salt);
        expiresAt = expires ? Number(expires[1]) * 1000 : 0;
        return new Promise(function (resolve) {
          var worker = new Worker(form.getAttribute('data-worker'));
          worker.onmessage = function (event) {
            worker.terminate();
            if (typeof event.data === 'number') {
              pow.value = btoa(JSON.stringify({
                algorithm: c.algorithm, challenge: c.challenge, number: event.data,
                salt: c.salt, signature: c.signature
              }));
            }
            resolve();
          };
          worker.onerror = function () { worker.terminate(); resolve(); };
          worker.postMessage(c);
        });
      })
      // Without a solution the answers are still taken, counted as unverified.
      .catch(function () {});
    return solving;
  }
  if (window.Worker && window.fetch && window.Promise && window.btoa) solve();

  var waited = false;
  form.addEventListener('submit', function (event) {
    if (waited || !solving) return;
    var stale = expiresAt !== 0 && expiresAt - Date.now() < 60000;
    if (pow.value && !stale) return;
    event.preventDefault();
    var submitter = event.submitter || null;
    if (stale) solve();
    var patience = new Promise(function (resolve) { setTimeout(resolve, 5000); });
    Promise.race([solving, patience]).then(function () {
      waited = true;
      if (form.requestSubmit) form.requestSubmit(submitter); else form.submit();
    });
  });
})();
