import Foundation
import LiaisonBench

exit(Bench.main(Array(CommandLine.arguments.dropFirst())))
