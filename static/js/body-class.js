// GOV.UK Frontend styles components differently once JavaScript is known to run.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
