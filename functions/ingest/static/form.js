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
  // A question that offers only earlier answers ("your main platform", of the platforms
  // you sell on) lists just those, or all of them while none is given.
  function applyOptionsFrom() {
    each('[data-options-from]', function (question) {
      var given = new FormData(form).getAll(question.getAttribute('data-options-from'));
      Array.prototype.forEach.call(question.querySelectorAll('.choice'), function (choice) {
        var input = choice.querySelector('input');
        var offered = given.length === 0 || given.indexOf(input.value) >= 0;
        choice.hidden = !offered;
        if (!offered) input.checked = false;
      });
    });
  }
  form.addEventListener('change', function () { applyOptionsFrom(); applyConditions(); });
  applyOptionsFrom();
  applyConditions();

  // The country menu gets a search box: typing shortens the list (names compared without
  // case or accents), a single match is chosen, and the count is read out. The menu stays
  // the answer, so a seller can ignore the box.
  var fold = function (text) {
    text = text.toLowerCase();
    return text.normalize ? text.normalize('NFD').replace(/[\u0300-\u036f]/g, '') : text;
  };
  each('select[data-search]', function (select) {
    var optgroups = select.querySelectorAll('optgroup');
    var groups = optgroups.length === 0
      ? [{ node: select, options: Array.prototype.filter.call(select.options, function (o) { return o.value !== ''; }) }]
      : Array.prototype.map.call(optgroups, function (group) {
        return { node: group, options: Array.prototype.slice.call(group.children) };
      });
    var box = document.createElement('div');
    box.className = 'search';
    var label = document.createElement('label');
    label.htmlFor = select.id + '-search';
    label.textContent = select.getAttribute('data-search');
    var input = document.createElement('input');
    input.type = 'search';
    input.id = select.id + '-search';
    input.autocomplete = 'off';
    input.spellcheck = false;
    input.setAttribute('aria-controls', select.id);
    var status = document.createElement('p');
    status.className = 'vh';
    status.setAttribute('aria-live', 'polite');
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(status);
    select.parentNode.insertBefore(box, select);
    // Enter (a phone keyboard's "Go") would send the whole form: it hands over to the menu.
    input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter') { event.preventDefault(); select.focus(); }
    });
    input.addEventListener('input', function () {
      var query = fold(input.value.trim());
      var chosen = select.value;
      var found = [];
      groups.forEach(function (group) {
        group.options.forEach(function (option) {
          var match = query === '' || fold(option.textContent).indexOf(query) >= 0;
          // Appending each kept option in turn keeps the list's order. The chosen country
          // always stays, so that typing never loses an answer.
          if (match || option.value === chosen) {
            group.node.appendChild(option);
          } else if (option.parentNode) {
            option.parentNode.removeChild(option);
          }
          if (match && found.indexOf(option.value) < 0) found.push(option.value);
        });
        if (group.node !== select) group.node.hidden = group.node.children.length === 0;
      });
      if (query !== '' && found.length === 1) select.value = found[0];
      status.textContent = select.getAttribute('data-found').replace('{n}', String(found.length));
    });
  });

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
