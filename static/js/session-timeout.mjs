// The timeout warning (the GOV.UK pattern): a while before the session's idle timeout, a dialog says
// how long is left, with "Stay signed in" and "Sign out". Before it shows, it asks the server how
// long is really left, since another tab may have renewed the session; when time runs out it says
// the user has been signed out, and that what they send now is kept (shell/kept/).
// The times come from the dialog's data attributes (settings SESSION_IDLE_TIMEOUT_SECONDS and
// SESSION_TIMEOUT_WARNING_SECONDS), the CSRF token from its sign-out form.

const RETRY_SECONDS = 30

// The countdown in words: whole minutes (rounded up) until the last minute, then seconds.
export function timeInWords (seconds) {
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60)
    return `${minutes} minute${minutes === 1 ? '' : 's'}`
  }
  return `${seconds} second${seconds === 1 ? '' : 's'}`
}

// A screen reader hears the time left when the dialog opens, each minute, then every 15 seconds of
// the last minute: never every second.
export function worthAnnouncing (seconds) {
  return seconds % 60 === 0 || (seconds < 60 && seconds % 15 === 0)
}

export function initSessionTimeout (dialog) {
  const idleSeconds = Number(dialog.dataset.idleSeconds)
  const warningSeconds = Number(dialog.dataset.warningSeconds)
  if (!(idleSeconds > 0) || typeof dialog.showModal !== 'function') return
  const countdown = dialog.querySelector('[data-session-countdown]')
  const announce = dialog.querySelector('[data-session-announce]')
  const csrfToken = dialog.querySelector('input[name="csrfmiddlewaretoken"]').value
  let expiresAt = Date.now() + idleSeconds * 1000
  let checkTimer = null
  let tickTimer = null
  let state = 'waiting'

  const secondsLeft = () => Math.max(0, Math.round((expiresAt - Date.now()) / 1000))

  function checkIn (seconds) {
    clearTimeout(checkTimer)
    checkTimer = setTimeout(check, Math.max(0, seconds) * 1000)
  }

  // The seconds the server says are left; null if it could not be asked.
  async function askServer (url, options) {
    try {
      const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' }, ...options })
      if (!response.ok || response.redirected) return response.redirected ? 0 : null
      return Number((await response.json()).seconds_left)
    } catch {
      return null
    }
  }

  async function check () {
    const left = await askServer(dialog.dataset.timeLeftUrl)
    if (left === null) {
      if (secondsLeft() > 0) checkIn(Math.min(RETRY_SECONDS, secondsLeft()))
      else signedOut()
      return
    }
    expiresAt = Date.now() + left * 1000
    if (left <= 0) signedOut()
    else if (left > warningSeconds) waitFor(left)
    else warn()
  }

  function waitFor (left) {
    clearTimeout(tickTimer)
    state = 'waiting'
    if (dialog.open) dialog.close()
    checkIn(left - warningSeconds)
  }

  function warn () {
    show('warning')
    announce.textContent = ''
    tick(true)
  }

  function tick (opening) {
    clearTimeout(tickTimer)
    const left = secondsLeft()
    if (left <= 0) {
      check() // another tab may have renewed the session meanwhile
      return
    }
    countdown.textContent = timeInWords(left)
    if (opening || worthAnnouncing(left)) announce.textContent = `${timeInWords(left)} left before you are signed out`
    tickTimer = setTimeout(() => tick(false), 1000)
  }

  function signedOut () {
    clearTimeout(tickTimer)
    clearTimeout(checkTimer)
    show('signed-out')
  }

  function show (name) {
    state = name
    for (const part of dialog.querySelectorAll('[data-session-state]')) {
      part.hidden = part.dataset.sessionState !== name
    }
    const shown = dialog.querySelector(`[data-session-state="${name}"]`)
    dialog.setAttribute('aria-labelledby', shown.querySelector('h2').id)
    dialog.setAttribute('aria-describedby', shown.querySelector('p').id)
    if (!dialog.open) dialog.showModal()
  }

  async function staySignedIn () {
    const left = await askServer(dialog.dataset.staySignedInUrl, {
      method: 'POST',
      headers: { Accept: 'application/json', 'X-CSRFToken': csrfToken }
    })
    if (left === null) return // the warning stays, and the user may try again
    expiresAt = Date.now() + left * 1000
    if (left <= 0) signedOut()
    else waitFor(left)
  }

  dialog.querySelector('[data-session-stay]').addEventListener('click', staySignedIn)
  dialog.querySelector('[data-session-close]').addEventListener('click', () => dialog.close())
  // Escape is "Stay signed in" while there is still time; once signed out it closes the dialog.
  dialog.addEventListener('cancel', (event) => {
    if (state !== 'warning') return
    event.preventDefault()
    staySignedIn()
  })

  checkIn(idleSeconds - warningSeconds)
}
