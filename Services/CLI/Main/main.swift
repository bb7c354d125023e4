import Foundation
import LiaisonCLI

exit(CLI.main(Array(CommandLine.arguments.dropFirst())))
