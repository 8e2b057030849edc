// Progressive enhancement only: every page works without JavaScript.
import { initAll } from '../govuk/govuk-frontend.min.js'
import { initSessionTimeout } from './session-timeout.mjs'

initAll()

const sessionTimeout = document.querySelector('dialog[data-time-left-url]')
if (sessionTimeout) initSessionTimeout(sessionTimeout)
