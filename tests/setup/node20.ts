import '../../relay/node20-polyfill'
